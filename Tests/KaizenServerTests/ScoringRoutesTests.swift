import Foundation
import Hummingbird
import HummingbirdTesting
import KaizenCore
import KaizenONNX
import KaizenServing
import Testing

@testable import KaizenServer

/// The scoring server's HTTP behaviour without a socket: MLflow's statuses and bodies for every protocol error,
/// the Open Inference Protocol's, and `/metrics`.
/// The converted scikit-learn models of the ONNX parity fixtures (`make onnx-fixtures`).
private let parityFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity")

@Suite(
    .enabled(
        if: FileManager.default.fileExists(atPath: parityFixtures.appendingPathComponent("rf_reg/model.onnx").path),
        "needs .fixtures/onnx: run make onnx-fixtures"))
struct ScoringRoutesTests {

    static func run(
        batching: MicroBatcher.Configuration? = nil,
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let engine = try ONNXModel(contentsOf: parityFixtures.appendingPathComponent("rf_reg/model.onnx"))
        let model = ScoringModel(engine: engine, signature: nil, name: "rf_reg", version: "7")
        let configuration = ServingConfiguration(maxRequestBodySize: 1 << 16, batching: batching, accessLog: false)
        let metrics = ServingMetrics()
        let service = ScoringService(slot: ModelSlot(model)) { model, rows in metrics.batch(rows, model: model) }
        let app = Application(
            router: buildServingRouter(service: service, metrics: metrics, configuration: configuration))
        try await app.test(.router) { client in try await test(client) }
    }

    static func post(
        _ client: some TestClientProtocol, _ path: String = "/invocations", type: String?, _ body: String
    )
        async throws -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let type { headers[.contentType] = type }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static let row = "[" + (0..<10).map { "\(Double($0) / 10)" }.joined(separator: ",") + "]"

    @Test func healthAndVersion() async throws {
        try await Self.run { client in
            let ping = try await client.execute(uri: "/ping", method: .get)
            #expect(ping.status == .ok)
            #expect(String(buffer: ping.body) == "\n")
            #expect(ping.headers[.contentType] == "application/json")
            let version = try await client.execute(uri: "/version", method: .get)
            #expect(String(buffer: version.body) == mlflowCompatibleVersion)
        }
    }

    @Test func invocationsAnswerInMLflowsShapes() async throws {
        try await Self.run { client in
            let tensor = try await Self.post(
                client, type: "application/json", "{\"inputs\": [\(Self.row), \(Self.row)]}")
            #expect(tensor.status == .ok)
            #expect(tensor.headers[.kaizenModelVersion] == "7")
            let columns = try JSONValue(parsing: tensor.body.readableBytesView)["predictions"]
            #expect(columns?["variable"]?.arrayValue?.count == 2)
            let names = (0..<10).map { "\"c\($0)\"" }.joined(separator: ",")
            let csv = try await Self.post(
                client, type: "text/csv; charset=utf-8",
                (0..<10).map { "c\($0)" }.joined(separator: ",") + "\n" + Self.row.dropFirst().dropLast() + "\n")
            #expect(csv.status == .ok)
            let records = try JSONValue(parsing: csv.body.readableBytesView)["predictions"]
            #expect(
                records?.arrayValue?.first?["variable"]?.doubleValue
                    == columns?["variable"]?.arrayValue?.first?.arrayValue?.first?.doubleValue)
            let split = try await Self.post(
                client, type: "application/json",
                "{\"dataframe_split\": {\"columns\": [\(names)], \"data\": [\(Self.row)]}}")
            #expect(try JSONValue(parsing: split.body.readableBytesView)["predictions"] == records)
        }
    }

    @Test func protocolErrorsMatchMLflow() async throws {
        try await Self.run { client in
            let cases: [(String?, String, HTTPResponse.Status, String?)] = [
                ("application/json", "[1, 2]", .badRequest, "BAD_REQUEST"),
                ("application/json", "\"abc\"", .badRequest, "BAD_REQUEST"),
                ("application/json", "{}", .badRequest, "BAD_REQUEST"),
                ("application/json", "{\"inputs\": 1, \"instances\": 2}", .badRequest, "BAD_REQUEST"),
                ("application/json", "{nope", .badRequest, "BAD_REQUEST"),
                ("application/json", "{\"inputs\": [[1, 2]]}", .badRequest, "BAD_REQUEST"),
                ("application/json; charset=latin-1", "{}", .unsupportedMediaType, nil),
                ("application/json; format=pandas-split", "{}", .unsupportedMediaType, nil),
                ("application/xml", "<a/>", .unsupportedMediaType, nil),
                ("APPLICATION/JSON", "{}", .unsupportedMediaType, nil),
                (nil, "{}", .unsupportedMediaType, nil),
            ]
            for (type, body, status, code) in cases {
                let response = try await Self.post(client, type: type, body)
                #expect(response.status == status, "\(type ?? "no type") \(body)")
                if let code {
                    let json = try JSONValue(parsing: response.body.readableBytesView)
                    #expect(json["error_code"]?.stringValue == code, "\(body)")
                    #expect(json["sqlstate"] != nil)
                }
            }
            let charset = try await Self.post(client, type: "application/json; charset=latin-1", "{}")
            #expect(String(buffer: charset.body) == "The scoring server only supports UTF-8")
            let xml = try await Self.post(client, type: "application/xml", "<a/>")
            #expect(String(buffer: xml.body).hasSuffix("Got 'application/xml'."))
            let get = try await client.execute(uri: "/invocations", method: .get)
            #expect(get.status == .methodNotAllowed)
            #expect(String(buffer: get.body) == "{\"detail\":\"Method Not Allowed\"}")
            let missing = try await client.execute(uri: "/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body) == "{\"detail\":\"Not Found\"}")
            let huge = try await Self.post(client, type: "application/json", String(repeating: " ", count: 1 << 17))
            #expect(huge.status == .contentTooLarge)
        }
    }

    @Test func openInferenceProtocol() async throws {
        try await Self.run { client in
            let live = try await client.execute(uri: "/v2/health/live", method: .get)
            #expect(String(buffer: live.body) == "{\"live\":true}")
            let metadata = try JSONValue(
                parsing: try await client.execute(uri: "/v2/models/rf_reg", method: .get).body.readableBytesView)
            #expect(metadata["platform"] == "onnx_onnxv1")
            #expect(metadata["inputs"]?.arrayValue?.first?["shape"] == [-1, 10])
            let data = (0..<20).map { "\(Double($0) / 10)" }.joined(separator: ",")
            let body = """
                {"id": "42", "inputs": [{"name": "X", "shape": [2, 10], "datatype": "FP32", "data": [\(data)]}],
                 "outputs": [{"name": "variable"}]}
                """
            let infer = try await Self.post(
                client, "/v2/models/rf_reg/versions/7/infer", type: "application/json", body)
            #expect(infer.status == .ok)
            let json = try JSONValue(parsing: infer.body.readableBytesView)
            #expect(json["id"] == "42")
            #expect(json["outputs"]?.arrayValue?.first?["shape"] == [2, 1])
            let other = try await Self.post(client, "/v2/models/other/infer", type: "application/json", body)
            #expect(other.status == .notFound)
            #expect(try JSONValue(parsing: other.body.readableBytesView)["error"] != nil)
            let wrongType = try await Self.post(
                client, "/v2/models/rf_reg/infer", type: "application/json",
                body.replacingOccurrences(of: "FP32", with: "BOOL"))
            #expect(wrongType.status == .badRequest)
            // The binary tensor data extension: JSON header, then raw little-endian floats; binary output back.
            let floats = (0..<20).map { Float($0) / 10 }
            let header = """
                {"inputs": [{"name": "X", "shape": [2, 10], "datatype": "FP32", "parameters": {"binary_data_size": 80}}],
                 "outputs": [{"name": "variable", "parameters": {"binary_data": true}}]}
                """
            var binaryBody = Array(header.utf8)
            for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { binaryBody += $0 } }
            let binary = try await client.execute(
                uri: "/v2/models/rf_reg/infer", method: .post,
                headers: [
                    .contentType: "application/octet-stream", .inferenceHeaderContentLength: String(header.utf8.count),
                ],
                body: ByteBuffer(bytes: binaryBody))
            #expect(binary.status == .ok)
            let headerLength = try #require(binary.headers[.inferenceHeaderContentLength].flatMap { Int($0) })
            let bytes = Array(binary.body.readableBytesView)
            let described = try JSONValue(parsing: bytes[..<headerLength])
            #expect(described["outputs"]?.arrayValue?.first?["parameters"]?["binary_data_size"] == 8)
            let fromBinary = bytes[headerLength...].withUnsafeBytes { raw in
                (0..<2).map { Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            #expect(fromBinary == json["outputs"]?.arrayValue?.first?["data"]?.arrayValue?.compactMap(\.doubleValue))
            let short = try await client.execute(
                uri: "/v2/models/rf_reg/infer", method: .post,
                headers: [.inferenceHeaderContentLength: String(header.utf8.count)],
                body: ByteBuffer(bytes: binaryBody.dropLast(4)))
            #expect(short.status == .badRequest)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(
                metrics.contains(
                    "kaizen_requests_total{model=\"rf_reg\",version=\"7\",endpoint=\"/v2/models/infer\",status=\"200\"} 2"
                ))
            #expect(metrics.contains("kaizen_batch_size_count{model=\"rf_reg\",version=\"7\"} 2"))
        }
    }
}
