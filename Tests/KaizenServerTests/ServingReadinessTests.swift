import Foundation
import Hummingbird
import HummingbirdTesting
import KaizenONNX
import KaizenServing
import Logging
import Synchronization
import Testing

@testable import KaizenServer

/// The parity fixtures' random forest regressor (`make onnx-fixtures`).
private let forest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity/rf_reg/model.onnx")

/// A model server that listens while its model loads: live at once, ready (and scoring) only once loaded.
@Suite(
    .enabled(
        if: FileManager.default.fileExists(atPath: forest.path), "needs .fixtures/onnx: run make onnx-fixtures"))
struct ServingReadinessTests {
    @Test func notReadyUntilTheModelHasLoaded() async throws {
        let (released, release) = AsyncStream<Void>.makeStream()
        let app = buildServingApplication(
            loading: {
                for await _ in released { break }
                let engine = try ONNXModel(contentsOf: forest)
                return ScoringModel(engine: engine, signature: nil, name: "rf_reg", version: "3")
            },
            configuration: ServingConfiguration(maxRequestBodySize: 1 << 16, accessLog: false),
            logger: Logger(label: "test"))
        try await app.test(.live) { client in
            #expect(try await client.execute(uri: "/v2/health/live", method: .get).status == .ok)
            let waiting = try await client.execute(uri: "/v2/health/ready", method: .get)
            #expect(waiting.status == .serviceUnavailable)
            #expect(String(buffer: waiting.body) == #"{"ready":false}"#)
            #expect(try await client.execute(uri: "/ping", method: .get).status == .serviceUnavailable)
            let early = try await client.execute(
                uri: "/invocations", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"inputs": [[0,0,0,0,0,0,0,0,0,0]]}"#))
            #expect(early.status == .serviceUnavailable)
            #expect(String(buffer: early.body).contains("TEMPORARILY_UNAVAILABLE"))
            release.yield()
            var ready = false
            for _ in 0..<200 where !ready {
                ready = try await client.execute(uri: "/v2/health/ready", method: .get).status == .ok
                if !ready { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(ready)
            #expect(try await client.execute(uri: "/ping", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/models/rf_reg/versions/3/ready", method: .get).status == .ok)
        }
    }
}
