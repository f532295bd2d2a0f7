import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaizenCore
import KaizenONNX
import KaizenServing
import Testing

@testable import KaizenServer

/// The model server's prediction form: `GET /kaizen/model` describes what the model takes, `/` and `/static/` serve
/// the page from the binary with its security headers.
struct PredictionFormRoutesTests {
    /// A model taking a float matrix of two columns, answering it unchanged.
    static func engine() throws -> ONNXModel {
        try ONNXModel(
            blueprint: ModelBlueprint(
                inputs: [.init(name: "x", type: .float, shape: [nil, 2])],
                outputs: [.init(name: "y", type: .float, shape: [nil, 2])],
                nodes: [.init("Identity", inputs: ["x"], outputs: ["y"])], producer: "test"))
    }

    static func run(
        _ model: ScoringModel?, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let slot = model.map { ModelSlot($0) } ?? ModelSlot()
        let metrics = ServingMetrics()
        let service = ScoringService(slot: slot) { model, rows in metrics.batch(rows, model: model) }
        let router = buildServingRouter(
            service: service, metrics: metrics,
            configuration: ServingConfiguration(maxRequestBodySize: 1 << 16, batching: nil, accessLog: false))
        try await Application(router: router).test(.router) { client in try await test(client) }
    }

    @Test func describesTheSignatureParamsAndExample() async throws {
        let columns =
            ColumnSpec.ColumnType.allCases.map { ColumnSpec(name: "c_\($0.rawValue)", type: $0) }
            + [ColumnSpec(name: "maybe", type: .double, required: false)]
        let example = try JSONValue(
            parsing: #"{"dataframe_split": {"columns": ["c_string"], "data": [["<b>x</b>"]]}, "params": {"k": 3}}"#)
        let model = ScoringModel(
            engine: try Self.engine(), signature: .columns(columns), name: "shop", version: "4",
            params: [ParamSpec(name: "k", type: "long", defaultValue: .integer(1))], servingExample: example)
        try await Self.run(model) { client in
            let response = try await client.execute(uri: "/kaizen/model", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let body = try JSONValue(parsing: response.body.readableBytesView)
            #expect(body["name"] == .string("shop"))
            #expect(body["version"] == .string("4"))
            #expect(body["from_signature"] == .bool(true))
            let inputs = try #require(body["inputs"]?.arrayValue)
            #expect(inputs.map { $0["type"]?.stringValue } == columns.map(\.type.rawValue) as [String?])
            #expect(inputs.first?.jsonText == #"{"type":"boolean","name":"c_boolean","required":true}"#)
            #expect(inputs.last?.jsonText == #"{"type":"double","name":"maybe","required":false}"#)
            #expect(body["params"]?.jsonText == #"[{"name":"k","type":"long","default":1,"shape":null}]"#)
            #expect(body["serving_input_example"] == example)
        }
    }

    @Test func describesTensorSignaturesAndGraphInputs() async throws {
        let tensors = ScoringModel(
            engine: try Self.engine(), signature: .tensors([TensorSpec(name: "x", dtype: "float32", shape: [-1, 2])]),
            name: "t", version: nil)
        try await Self.run(tensors) { client in
            let body = try JSONValue(
                parsing: try await client.execute(uri: "/kaizen/model", method: .get).body.readableBytesView)
            #expect(body["version"] == nil)
            #expect(body["serving_input_example"] == nil)
            #expect(
                body["inputs"]?.jsonText
                    == #"[{"type":"tensor","tensor-spec":{"dtype":"float32","shape":[-1,2]},"name":"x"}]"#)
        }
        let bare = ScoringModel(engine: try Self.engine(), signature: nil, name: "bare", version: "1")
        try await Self.run(bare) { client in
            let body = try JSONValue(
                parsing: try await client.execute(uri: "/kaizen/model", method: .get).body.readableBytesView)
            #expect(body["from_signature"] == .bool(false))
            #expect(
                body["inputs"]?.jsonText
                    == #"[{"type":"tensor","tensor-spec":{"dtype":"float32","shape":[-1,2]},"name":"x"}]"#)
            #expect(body["params"] == .array([]))
        }
    }

    @Test func answers503WhileTheModelLoads() async throws {
        try await Self.run(nil) { client in
            let response = try await client.execute(uri: "/kaizen/model", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try JSONValue(parsing: response.body.readableBytesView)["error_code"] == "TEMPORARILY_UNAVAILABLE")
            // The page itself is there at once: it waits for the model.
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
        }
    }

    @Test func servesThePageAndItsFilesFromTheBinary() async throws {
        let model = ScoringModel(engine: try Self.engine(), signature: nil, name: "bare", version: nil)
        try await Self.run(model) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = page.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"))
            let html = String(buffer: page.body)
            for asset in UIAssets.serving {
                #expect(html.contains(asset.path))
                let file = try await client.execute(uri: asset.path, method: .get)
                #expect(file.status == .ok)
                #expect(file.headers[.contentType] == asset.contentType)
                #expect(Array(file.body.readableBytesView) == asset.bytes)
            }
            #expect(UIAssets.serving.map(\.name) == ["kaizen.css", "predict.css", "dom.js", "predict.js"])
            #expect(try await client.execute(uri: "/static/app.js", method: .get).status == .notFound)
        }
    }
}
