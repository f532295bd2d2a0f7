import Foundation
import KaizenONNX
import Synchronization
import Testing

@testable import KaizenServing

/// The micro-batcher stacks concurrent requests, answers each with exactly its own rows, and keeps errors apart.
@Suite(.enabled(if: ServingFixtures.available, ServingFixtures.missing))
struct MicroBatcherTests {
    @Test func concurrentRequestsGetTheirOwnRows() async throws {
        let model = try ServingFixtures.regressor()
        let sizes = Mutex<[Int]>([])
        let batcher = MicroBatcher(configuration: .init(maximumRows: 64)) { _, rows in
            sizes.withLock { $0.append(rows) }
        }
        let requests = (0..<200).map { index in
            (0..<((index % 3) + 1) * 10).map { Float(($0 * 7 + index * 13) % 29) / 7 }
        }
        let expected = try requests.map { values in
            try model.run(["X": try Tensor(shape: [values.count / 10, 10], floats: values)])["variable"]!.tensor!
                .floats!
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            try await withThrowingTaskGroup(of: (Int, [Float]).self) { requestsGroup in
                for (index, values) in requests.enumerated() {
                    requestsGroup.addTask {
                        let feeds = ["X": try Tensor(shape: [values.count / 10, 10], floats: values)]
                        let outputs = try await batcher.score(feeds, rows: values.count / 10, with: model)
                        return (index, outputs["variable"]!.tensor!.floats!)
                    }
                }
                for try await (index, values) in requestsGroup {
                    #expect(values == expected[index], "request \(index)")
                }
            }
            group.cancelAll()
        }
        let observed = sizes.withLock { $0 }
        #expect(observed.reduce(0, +) == requests.reduce(0) { $0 + $1.count / 10 })
        #expect(observed.allSatisfy { $0 <= 64 })
        // 200 requests of 10 to 30 rows arrive at once: at least some engine calls must have stacked several.
        #expect(observed.count < requests.count)
    }

    @Test func aBadRequestFailsAloneInsideABatch() async throws {
        let model = try ServingFixtures.regressor()
        let batcher = MicroBatcher(configuration: .init(maximumRows: 256, maximumWait: .milliseconds(20)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            async let good = batcher.score(
                ["X": try Tensor(shape: [1, 10], floats: Array(repeating: 1, count: 10))], rows: 1, with: model)
            // Same input name and rank but the wrong width: not stackable, and the engine refuses it.
            async let bad: Bool = {
                do {
                    _ = try await batcher.score(
                        ["X": try Tensor(shape: [1, 9], floats: Array(repeating: 1, count: 9))], rows: 1, with: model)
                    return false
                } catch { return true }
            }()
            let goodOutputs = try await good
            #expect(goodOutputs["variable"]?.tensor?.shape == [1, 1])
            #expect(await bad, "a 9-column row was scored")
            group.cancelAll()
        }
    }
}
