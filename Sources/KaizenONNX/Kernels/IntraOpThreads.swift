import CPrefetch
import Dispatch
import Foundation
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

    /// Model calls running now in this process (`ONNXModel.run`). A call splits its work only while it runs alone:
    /// calls side by side (a server's micro-batcher under load) already keep the cores busy, and splitting them too
    /// only makes threads compete (the small text classifier served at 8 connections: 3,314 requests/s with two
    /// threads a call against 4,144 with one).
    static let callsInFlight = Atomic<Int>(0)

    /// Runs one model call, counted in `callsInFlight`.
    static func counted<T>(_ call: () throws(ONNXError) -> T) throws(ONNXError) -> T {
        callsInFlight.add(1, ordering: .relaxed)
        defer { callsInFlight.subtract(1, ordering: .relaxed) }
        return try call()
    }

    /// Runs `body` over `0..<tasks`, split across the threads when there are several, `work` is large enough and no
    /// other model call is running;
    /// `body` gets a range of task indices and must touch only what those tasks own.
    ///
    /// The parts go to `SpinningWorkers` (threads that poll for work a short while after each split, so the many
    /// splits of one call do not each wait for a thread to wake), or, when another call is using them, to Dispatch.
    static func split(_ tasks: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let threads = min(count, tasks)
        guard threads > 1, work >= leastWork, callsInFlight.load(ordering: .relaxed) <= 1 else {
            body(0..<tasks)
            return
        }
        withoutActuallyEscaping(body) { body in
            let part = { (part: Int) in
                let start = tasks * part / threads
                let end = tasks * (part + 1) / threads
                if start < end { body(start..<end) }
            }
            if SpinningWorkers.shared.run(parts: threads, part) { return }
            let shared = UncheckedSendable(part)
            DispatchQueue.concurrentPerform(iterations: threads) { shared.value($0) }
        }
    }
}

/// Worker threads for `IntraOpThreads.split`, one split at a time. After a split each worker polls for the next one
/// for `spinTime` before it sleeps: an encoder call splits dozens of products microseconds to a few hundred apart, and a
/// sleeping thread takes tens of microseconds to wake.
///
/// A split is published in one atomic word, `claims`: its generation, its number of parts and the next unclaimed
/// part. A part is claimed by a compare-and-swap of the whole word, so a worker claims only parts of the split that
/// is current and unfinished, and only then reads the split's part function (`job`), which its caller keeps alive
/// until every part has finished.
final class SpinningWorkers: @unchecked Sendable {
    static let shared = SpinningWorkers()

    /// How long a worker polls for the next split before it sleeps.
    static let spinTime: UInt64 = 50_000  // nanoseconds

    /// Generation (bits 32 and up), parts (bits 16-31) and the next unclaimed part (bits 0-15).
    private let claims = Atomic<Int>(0)
    /// The current split's part function, a `(Int) -> Void` on its caller's stack.
    private let job = Atomic<UnsafeRawPointer?>(nil)
    private let finished = Atomic<Int>(0)
    /// Whether a caller holds the workers.
    private let held = Atomic<Bool>(false)
    private let workerCount = Atomic<Int>(0)
    private let workers = Mutex<[Worker]>([])

    private final class Worker: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private static func generation(_ state: Int) -> Int { state >> 32 }

    /// Runs `part(0)`, …, `part(parts - 1)` on the calling thread and the workers; false, without running anything,
    /// when another caller holds the workers.
    func run(parts: Int, _ part: (Int) -> Void) -> Bool {
        guard parts < 1 << 16, held.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { held.store(false, ordering: .releasing) }
        ensureWorkers(parts - 1)
        withoutActuallyEscaping(part) { part in
            withUnsafePointer(to: part) { pointer in
                job.store(UnsafeRawPointer(pointer), ordering: .relaxed)
                finished.store(0, ordering: .relaxed)
                let generation = (Self.generation(claims.load(ordering: .relaxed)) + 1) & 0x7FFF_FFFF
                claims.store(generation << 32 | parts << 16, ordering: .sequentiallyConsistent)
                for worker in workers.withLock({ $0 })
                where worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                    worker.wake.signal()
                }
                while let index = claim(generation) {
                    part(index)
                    finished.add(1, ordering: .releasing)
                }
                while finished.load(ordering: .acquiring) < parts { kaizen_spin_pause() }
            }
        }
        return true
    }

    /// The next part of split `generation`, if any is left.
    private func claim(_ generation: Int) -> Int? {
        var state = claims.load(ordering: .acquiring)
        while Self.generation(state) == generation {
            let (parts, index) = ((state >> 16) & 0xFFFF, state & 0xFFFF)
            guard index < parts else { return nil }
            let (exchanged, current) = claims.compareExchange(
                expected: state, desired: state + 1, ordering: .acquiringAndReleasing)
            if exchanged { return index }
            state = current
        }
        return nil
    }

    private func ensureWorkers(_ count: Int) {
        guard workerCount.load(ordering: .relaxed) < count else { return }
        workers.withLock { workers in
            while workers.count < count {
                let worker = Worker()
                workers.append(worker)
                let thread = Thread { [unowned self] in self.serve(worker) }
                thread.name = "kaizen-intra-op"
                thread.start()
            }
            workerCount.store(workers.count, ordering: .relaxed)
        }
    }

    private func serve(_ worker: Worker) {
        var seen = Self.generation(claims.load(ordering: .acquiring))
        while true {
            var generation = Self.generation(claims.load(ordering: .acquiring))
            let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinTime
            var polls = 0
            while generation == seen {
                polls += 1
                if polls % 64 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                    sleep(worker, seen: seen)
                    polls = 0
                }
                kaizen_spin_pause()
                generation = Self.generation(claims.load(ordering: .acquiring))
            }
            seen = generation
            while let index = claim(generation) {
                // A claimed part is unfinished, so its caller (and the function `job` points to) is still there.
                guard let pointer = job.load(ordering: .acquiring) else { break }
                pointer.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                finished.add(1, ordering: .releasing)
            }
        }
    }

    /// Sleeps until a caller publishes a split after `seen`.
    private func sleep(_ worker: Worker, seen: Int) {
        worker.sleeping.store(true, ordering: .sequentiallyConsistent)
        if Self.generation(claims.load(ordering: .sequentiallyConsistent)) != seen {
            // A split came in between: if its caller already took the flag it has signalled (or will), and the
            // signal is consumed here.
            if worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { return }
        }
        worker.wake.wait()
    }
}

/// A value handed to the threads of one `IntraOpThreads.split`, which each touch their own part of it.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
