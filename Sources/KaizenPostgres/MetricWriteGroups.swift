import KaizenTracking

/// Folds concurrent metric-only writes to one run into one statement, as a group commit does.
///
/// Every write to a run's metrics updates the same rows (each key's latest value and summary), so concurrent
/// statements for one run queue on those row locks one after another. Here the first write to a run goes to the
/// database at once; the writes to that run that arrive while it runs wait, and go together in the next statement
/// as one batch: under load each statement carries many requests, and alone a request waits for nothing. A
/// statement is all or nothing, and a request is answered only after the statement holding its values commits.
/// When a statement of several requests fails, each is written again on its own, so that a request is refused
/// for its own values only.
actor MetricWriteGroups {
    typealias Write = @Sendable (_ runID: String, _ metrics: [Metric]) async throws -> Void

    struct Waiting {
        var metrics: [Metric] = []
        var requests: [(count: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    let write: Write
    /// The runs with a statement under way.
    var busy: Set<String> = []
    /// The writes waiting for each busy run's statement to finish.
    var waiting: [String: Waiting] = [:]

    init(write: @escaping Write) {
        self.write = write
    }

    /// Writes `metrics` to the run, alone or with other requests' values; returns once they are committed.
    func submit(runID: String, metrics: [Metric]) async throws {
        guard busy.insert(runID).inserted else {
            try await withCheckedThrowingContinuation { continuation in
                waiting[runID, default: Waiting()].metrics += metrics
                waiting[runID, default: Waiting()].requests.append((metrics.count, continuation))
            }
            return
        }
        let result: Result<Void, any Error>
        do {
            try await write(runID, metrics)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        startNext(runID)
        try result.get()
    }

    /// Sends the writes that waited for `runID`'s last statement as the next one, or marks the run idle.
    func startNext(_ runID: String) {
        guard let group = waiting.removeValue(forKey: runID) else {
            busy.remove(runID)
            return
        }
        Task {
            await Self.flush(group, runID: runID, write: write)
            self.startNext(runID)
        }
    }

    static func flush(_ group: Waiting, runID: String, write: Write) async {
        do {
            try await write(runID, group.metrics)
            for request in group.requests { request.continuation.resume() }
        } catch {
            guard group.requests.count > 1 else {
                group.requests.first?.continuation.resume(throwing: error)
                return
            }
            var start = 0
            for request in group.requests {
                let own = Array(group.metrics[start..<start + request.count])
                start += request.count
                do {
                    try await write(runID, own)
                    request.continuation.resume()
                } catch {
                    request.continuation.resume(throwing: error)
                }
            }
        }
    }
}
