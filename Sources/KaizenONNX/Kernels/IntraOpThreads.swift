import Dispatch
import Synchronization

/// How many threads one model call may use: large matrix products and attention split their rows or heads across
/// them. One (the default) keeps every call on its caller's thread, which is fastest when calls already run side by
/// side (a server's micro-batcher runs one per core); a call of a long sequence on an idle machine gets its answer
/// sooner with more.
public enum IntraOpThreads {
    static let setting = Atomic<Int>(1)

    /// The threads a call may use from now on (at least 1).
    public static func set(_ count: Int) { setting.store(max(1, count), ordering: .relaxed) }

    public static var count: Int { setting.load(ordering: .relaxed) }

    /// The least work (multiply-adds) worth splitting: below it, waking threads costs more than it saves.
    static let leastWork = 1 << 20

    /// Runs `body` over `0..<tasks`, split across the threads when there are several and `work` is large enough;
    /// `body` gets a range of task indices and must touch only what those tasks own.
    static func split(_ tasks: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let threads = min(count, tasks)
        guard threads > 1, work >= leastWork else {
            body(0..<tasks)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                let start = tasks * part / threads
                let end = tasks * (part + 1) / threads
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

/// A value handed to the threads of one `IntraOpThreads.split`, which each touch their own part of it.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
