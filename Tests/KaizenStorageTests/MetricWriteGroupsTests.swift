import KaizenTracking
import NIOConcurrencyHelpers
import Testing

@testable import KaizenPostgres

/// The group commit of metric writes, with a recording write in place of the database.
struct MetricWriteGroupsTests {
    struct Refused: Error {}

    /// Records each write's values; the first write to a run waits until `release` is called, and a value of -1
    /// fails the write it is in.
    final class Recorder: Sendable {
        let writes = NIOLockedValueBox<[[Double]]>([])
        let gate = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        let firstStarted = NIOLockedValueBox(false)

        func write(_ runID: String, _ metrics: [Metric]) async throws {
            let first = firstStarted.withLockedValue { started in
                defer { started = true }
                return !started
            }
            if first { await withCheckedContinuation { continuation in gate.withLockedValue { $0 = continuation } } }
            writes.withLockedValue { $0.append(metrics.map(\.value)) }
            if metrics.contains(where: { $0.value == -1 }) { throw Refused() }
        }

        func release() async {
            while true {
                if let continuation = gate.withLockedValue({ $0 }) {
                    continuation.resume()
                    return
                }
                await Task.yield()
            }
        }
    }

    static func metric(_ value: Double) -> Metric { Metric(key: "loss", value: value, timestamp: 1, step: 0) }

    /// Waits until `count` writes are queued behind the run's statement.
    static func waitForQueued(_ groups: MetricWriteGroups, runID: String, count: Int) async {
        while await groups.waiting[runID]?.requests.count ?? 0 < count { await Task.yield() }
    }

    @Test func writesArrivingDuringAStatementGoTogetherInTheNext() async throws {
        let recorder = Recorder()
        let groups = MetricWriteGroups(write: recorder.write)
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await groups.submit(runID: "r", metrics: [Self.metric(0)]) }
            while !recorder.firstStarted.withLockedValue({ $0 }) { await Task.yield() }
            for value in 1...5 {
                tasks.addTask { try await groups.submit(runID: "r", metrics: [Self.metric(Double(value))]) }
            }
            await Self.waitForQueued(groups, runID: "r", count: 5)
            await recorder.release()
            try await tasks.waitForAll()
        }
        let writes = recorder.writes.withLockedValue { $0 }
        #expect(writes.count == 2)
        #expect(writes.first == [0])
        #expect(writes.last.map { $0.sorted() } == [1, 2, 3, 4, 5])
        #expect(await groups.busy.isEmpty)
    }

    @Test func aFailedGroupIsRetriedRequestByRequest() async throws {
        let recorder = Recorder()
        let groups = MetricWriteGroups(write: recorder.write)
        let outcomes = try await withThrowingTaskGroup(of: (Double, Bool).self) { tasks in
            tasks.addTask {
                try await groups.submit(runID: "r", metrics: [Self.metric(0)])
                return (0, true)
            }
            while !recorder.firstStarted.withLockedValue({ $0 }) { await Task.yield() }
            for value in [1.0, -1, 2] {
                tasks.addTask {
                    do {
                        try await groups.submit(runID: "r", metrics: [Self.metric(value)])
                        return (value, true)
                    } catch is Refused {
                        return (value, false)
                    }
                }
            }
            await Self.waitForQueued(groups, runID: "r", count: 3)
            await recorder.release()
            return try await tasks.reduce(into: [Double: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes == [0: true, 1: true, -1: false, 2: true])
        // The first alone, the group of three (refused), then each of the three alone.
        #expect(recorder.writes.withLockedValue { $0.count } == 5)
    }

    @Test func writesToDifferentRunsDoNotWaitForEachOther() async throws {
        let recorder = Recorder()
        let groups = MetricWriteGroups(write: recorder.write)
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await groups.submit(runID: "a", metrics: [Self.metric(0)]) }
            while !recorder.firstStarted.withLockedValue({ $0 }) { await Task.yield() }
            // Run "a" is held at its gate; a write to "b" completes meanwhile.
            try await groups.submit(runID: "b", metrics: [Self.metric(7)])
            #expect(recorder.writes.withLockedValue { $0 } == [[7]])
            await recorder.release()
            try await tasks.waitForAll()
        }
        #expect(recorder.writes.withLockedValue { $0.count } == 2)
    }
}
