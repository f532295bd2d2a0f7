import Foundation
public import KaizenONNX
public import ServiceLifecycle
import Synchronization

/// Adaptive micro-batching: requests that arrive while the engine is busy are stacked into one engine call.
///
/// An idle batcher runs a request at once, so one client sees no added latency; under load, the requests that
/// queued during one engine call form the next, up to `maximumRows` rows. `workers` engine calls run at once (one
/// per core), so batching never leaves a core idle. With a `maximumWait` above zero, a batch
/// that is not full also waits that long after its first request for more. Only requests for the same model object
/// with the same input names, element types and trailing dimensions are stacked, so every response comes from
/// exactly one model version; a batch whose outputs cannot be split by row, or whose call fails, is re-run one
/// request at a time so an error reaches only the request that caused it.
public final class MicroBatcher: Service, Sendable {
    public struct Configuration: Sendable {
        /// The most rows one engine call takes (a larger request runs alone).
        public var maximumRows: Int
        /// How long a partial batch waits for more requests; zero batches only what queued while the engine ran.
        public var maximumWait: Duration
        /// Engine calls that may run at once (one per core by default), each on the batch queued before it began.
        public var workers: Int

        public init(
            maximumRows: Int = 256, maximumWait: Duration = .zero, workers: Int? = nil
        ) {
            self.maximumRows = maximumRows
            self.maximumWait = maximumWait
            self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    struct Job: Sendable {
        let model: ScoringModel
        let feeds: [String: Tensor]
        let rows: Int
        let arrival: ContinuousClock.Instant
        let continuation: CheckedContinuation<Result<[String: Value], ServingError>, Never>
    }

    struct State: ~Copyable {
        var queue: [Job] = []
        var head = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var accepting = true
    }

    public let configuration: Configuration
    let state = Mutex(State())
    let observe: @Sendable (_ model: ScoringModel, _ rows: Int) -> Void

    /// - Parameter observe: called with the row count of every engine call (for the batch-size histogram).
    public init(
        configuration: Configuration,
        observe: @escaping @Sendable (_ model: ScoringModel, _ rows: Int) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.observe = observe
    }

    /// Scores `feeds` with `model` in the next batch; after shutdown began, on the calling task.
    public func score(
        _ feeds: [String: Tensor], rows: Int, with model: ScoringModel
    ) async throws(ServingError)
        -> [String: Value]
    {
        let result = await withCheckedContinuation { continuation in
            let job = Job(
                model: model, feeds: feeds, rows: rows, arrival: .now, continuation: continuation)
            let (accepted, waiter) = state.withLock { state in
                guard state.accepting else { return (false, CheckedContinuation<Void, Never>?.none) }
                state.queue.append(job)
                return (true, state.waiters.popLast())
            }
            if accepted {
                waiter?.resume()
            } else {
                runAlone(job)
            }
        }
        return try result.get()
    }

    /// Runs batches until graceful shutdown (or cancellation); the requests already queued are still answered.
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    for _ in 0..<configuration.workers {
                        group.addTask {
                            while let batch = await self.nextBatch() {
                                if !batch.isEmpty { self.execute(batch) }
                            }
                        }
                    }
                }
            } onGracefulShutdown: {
                self.stopAccepting()
            }
        } onCancel: {
            self.stopAccepting()
        }
    }

    func stopAccepting() {
        let waiters = state.withLock { state in
            state.accepting = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for work and takes the next batch; `nil` once shutdown began and the queue is empty.
    func nextBatch() async -> [Job]? {
        while true {
            let (ready, done) = state.withLock { state in (state.head < state.queue.count, !state.accepting) }
            if ready { break }
            if done { return nil }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.head < state.queue.count || !state.accepting { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        if configuration.maximumWait > .zero {
            let (first, rows) = state.withLock { state in
                state.head < state.queue.count
                    ? (state.queue[state.head].arrival, state.queue[state.head...].reduce(0) { $0 + $1.rows })
                    : (ContinuousClock.now, configuration.maximumRows)
            }
            if rows < configuration.maximumRows {
                try? await Task.sleep(until: first.advanced(by: configuration.maximumWait), clock: .continuous)
            }
        }
        return state.withLock { state -> [Job]? in
            // Another worker may have taken the queue while this one waited.
            guard state.head < state.queue.count else { return state.accepting ? [] : nil }
            var batch = [state.queue[state.head]]
            var rows = batch[0].rows
            state.head += 1
            while state.head < state.queue.count {
                let next = state.queue[state.head]
                guard rows + next.rows <= configuration.maximumRows, next.model === batch[0].model,
                    Self.stackable(next.feeds, batch[0].feeds)
                else { break }
                batch.append(next)
                rows += next.rows
                state.head += 1
            }
            if state.head > 1024 || state.head == state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            return batch
        }
    }

    static func stackable(_ a: [String: Tensor], _ b: [String: Tensor]) -> Bool {
        a.count == b.count
            && a.allSatisfy { name, tensor in
                guard let other = b[name], tensor.rank >= 1, other.rank == tensor.rank else { return false }
                return tensor.elementType == other.elementType && tensor.shape.dropFirst() == other.shape.dropFirst()
            }
    }

    func execute(_ batch: [Job]) {
        guard batch.count > 1 else {
            runAlone(batch[0])
            return
        }
        let total = batch.reduce(0) { $0 + $1.rows }
        var stacked: [String: Tensor] = [:]
        for name in batch[0].feeds.keys {
            guard let joined = Tensor.concatenatingRows(of: batch.map { $0.feeds[name]! }) else {
                batch.forEach(runAlone)
                return
            }
            stacked[name] = joined
        }
        observe(batch[0].model, total)
        guard let outputs = try? batch[0].model.run(stacked),
            let parts = Self.split(outputs, rows: batch.map(\.rows), total: total)
        else {
            batch.forEach(runAlone)
            return
        }
        for (job, part) in zip(batch, parts) { job.continuation.resume(returning: .success(part)) }
    }

    func runAlone(_ job: Job) {
        observe(job.model, job.rows)
        job.continuation.resume(
            returning: Result { () throws(ServingError) -> [String: Value] in try job.model.run(job.feeds) })
    }

    /// The outputs cut back into each request's rows, or `nil` when an output is not laid out by row.
    static func split(_ outputs: [String: Value], rows: [Int], total: Int) -> [[String: Value]]? {
        var parts = [[String: Value]](repeating: [:], count: rows.count)
        for (name, value) in outputs {
            var start = 0
            switch value {
            case .tensor(let tensor):
                guard tensor.rank >= 1, tensor.shape[0] == total else { return nil }
                for (index, count) in rows.enumerated() {
                    parts[index][name] = .tensor(tensor.rows(start..<(start + count)))
                    start += count
                }
            case .mapSequence(let maps):
                guard maps.count == total else { return nil }
                for (index, count) in rows.enumerated() {
                    parts[index][name] = .mapSequence(maps.maps(start..<(start + count)))
                    start += count
                }
            }
        }
        return parts
    }
}
