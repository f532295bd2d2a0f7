import Foundation
import Hummingbird
import HummingbirdTesting
import KaizenArtifacts
import KaizenCore
import KaizenStorage
import Testing

@testable import KaizenServer

/// Drives the router without a socket, on a real SQLite file and artifact folder in a temp directory.
struct TrackingRoutesTests {
    struct Fixture {
        let directory: String
        let configuration: ServerConfiguration

        init() {
            directory =
                FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-routes-\(UUID().uuidString)").path
            configuration = ServerConfiguration(maxRequestBodySize: 1 << 20, workingDirectory: directory)
        }

        func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let database = try SQLiteBackend(location: directory + "/kaizen.db")
            let stores = ServerStores(
                tracking: database.tracking, registry: database.registry, webhooks: database.webhooks,
                artifacts: try LocalArtifactStore(root: directory + "/artifacts"), endpoints: database.endpoints,
                monitoring: database.monitoring)
            let services = try await KaizenServices(stores: stores, configuration: configuration)
            let app = Application(router: buildRouter(services: services, configuration: configuration))
            try await app.test(.router) { client in try await test(client) }
        }
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    static func body(_ response: TestResponse) throws -> JSONValue {
        try JSONValue(parsing: response.body.readableBytesView)
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ text: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: json, body: ByteBuffer(string: text))
    }

    @Test func experimentLifecycle() async throws {
        try await Fixture().run { client in
            let created = try await Self.post(
                client, "/api/2.0/mlflow/experiments/create", #"{"name":"exp","tags":[{"key":"k","value":"v"}]}"#)
            #expect(created.status == .ok)
            #expect(try Self.body(created)["experiment_id"] == "1")
            let duplicate = try await Self.post(client, "/api/2.0/mlflow/experiments/create", #"{"name":"exp"}"#)
            #expect(duplicate.status == .badRequest)
            #expect(try Self.body(duplicate)["error_code"] == "RESOURCE_ALREADY_EXISTS")
            let fetched = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/get-by-name?experiment_name=exp", method: .get)
            #expect(try Self.body(fetched)["experiment"]?["artifact_location"] == "mlflow-artifacts:/1")
            let missing = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try Self.body(missing)["error_code"] == "RESOURCE_DOES_NOT_EXIST")
            let badID = try await client.execute(
                uri: "/ajax-api/2.0/mlflow/experiments/get?experiment_id=abc", method: .get)
            #expect(badID.status == .badRequest)
            #expect(
                try Self.body(badID)["message"] == "Invalid experiment ID 'abc'. Experiment ID must be a valid integer."
            )
            let search = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/search?max_results=1&filter=name+LIKE+%27e%25%27", method: .get)
            let experiments = try Self.body(search)["experiments"]?.arrayValue ?? []
            #expect(experiments.map { $0["name"] } == ["exp"])
            #expect(try Self.body(search)["next_page_token"] == nil)
        }
    }

    @Test func runLoggingRoundTrip() async throws {
        try await Fixture().run { client in
            let created = try await Self.post(
                client, "/api/2.0/mlflow/runs/create", #"{"experiment_id":"0","start_time":"7","run_name":"r1"}"#)
            let runID = try Self.body(created)["run"]?["info"]?["run_id"]?.stringValue ?? ""
            #expect(runID.count == 32)
            let logged = try await Self.post(
                client, "/api/2.0/mlflow/runs/log-batch",
                #"{"run_id":"\#(runID)","metrics":[{"key":"m","value":"NaN","timestamp":1,"step":"2"}],"params":[{"key":"p","value":"1"}]}"#
            )
            #expect(logged.status == .ok)
            let retried = try await Self.post(
                client, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id":"\#(runID)","key":"p","value":"1"}"#)
            #expect(retried.status == .ok)
            let changed = try await Self.post(
                client, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id":"\#(runID)","key":"p","value":"2"}"#)
            #expect(changed.status == .badRequest)
            let run = try Self.body(
                try await client.execute(uri: "/api/2.0/mlflow/runs/get?run_id=\(runID)", method: .get))
            #expect(run["run"]?["info"]?["start_time"] == .integer(7))
            #expect(run["run"]?["data"]?["metrics"]?.arrayValue?.first?["value"] == "NaN")
            #expect(run["run"]?["data"]?["params"] == [.object([("key", "p"), ("value", "1")])])
            let history = try Self.body(
                try await client.execute(
                    uri: "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=m", method: .get))
            #expect(history["metrics"]?.arrayValue?.first?["step"] == .integer(2))
        }
    }

    @Test func badInputGetsMLflowErrors() async throws {
        try await Fixture().run { client in
            let noType = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/create", method: .post, body: ByteBuffer(string: #"{"name":"x"}"#))
            #expect(noType.status == .badRequest)
            #expect(try Self.body(noType)["message"] == "Bad Request. Content-Type header is missing.")
            let textPlain = try await client.execute(
                uri: "/api/2.0/mlflow/experiments/create", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"name":"x"}"#))
            #expect(
                try Self.body(textPlain)["message"] == "Bad Request. Content-Type must be one of ['application/json'].")
            let malformed = try await Self.post(client, "/api/2.0/mlflow/experiments/create", #"{"name": "#)
            #expect(malformed.status == .badRequest)
            #expect(try Self.body(malformed)["error_code"] == "BAD_REQUEST")
            let wrongType = try await Self.post(client, "/api/2.0/mlflow/experiments/create", #"{"name": 123}"#)
            #expect(try Self.body(wrongType)["error_code"] == "INVALID_PARAMETER_VALUE")
            #expect(
                try Self.body(wrongType)["message"]?.stringValue?.hasPrefix(
                    "Invalid value 123 for parameter 'name' supplied") == true)
            let missing = try await Self.post(client, "/api/2.0/mlflow/experiments/create", #"{}"#)
            #expect(try Self.body(missing)["message"] == .string(KaizenError.missingParameter("name").message))
            let unknownRun = try await Self.post(
                client, "/api/2.0/mlflow/runs/log-metric",
                #"{"run_id":"0123456789abcdef0123456789abcdef","key":"m","value":1,"timestamp":1}"#)
            #expect(unknownRun.status == .notFound)
            let badStep = try await Self.post(
                client, "/api/2.0/mlflow/runs/log-metric",
                #"{"run_id":"0123456789abcdef0123456789abcdef","key":"m","value":1,"timestamp":1,"step":"foo"}"#)
            #expect(
                try Self.body(badStep)["message"]?.stringValue?.hasPrefix(
                    "Invalid value foo for parameter 'step' supplied") == true)
            // OR is Kaizen's extension for run filters only; other searches refuse it as MLflow does.
            let orRuns = try await Self.post(
                client, "/api/2.0/mlflow/runs/search",
                #"{"experiment_ids":["0"],"filter":"metrics.a > 1 or metrics.b > 1"}"#)
            #expect(orRuns.status == .ok)
            let trailingOr = try await Self.post(
                client, "/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0"],"filter":"metrics.a > 1 or"}"#)
            #expect(try Self.body(trailingOr)["message"] == "Invalid filter 'metrics.a > 1 or'. Trailing OR.")
            let orExperiments = try await Self.post(
                client, "/api/2.0/mlflow/experiments/search", #"{"filter":"name = 'a' or name = 'b'"}"#)
            #expect(try Self.body(orExperiments)["message"] == "Invalid clause(s) in filter string: 'or'")
            let notArray = try await Self.post(client, "/api/2.0/mlflow/runs/search", #"[1, 2]"#)
            #expect(notArray.status == .badRequest)
            let tooLarge = try await Self.post(
                client, "/api/2.0/mlflow/experiments/create",
                #"{"name":""# + String(repeating: "x", count: 2 << 20) + #""}"#)
            #expect(tooLarge.status == .contentTooLarge)
            let unknown = try await client.execute(uri: "/api/2.0/mlflow/nothing-here", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try Self.body(unknown)["error_code"] == "ENDPOINT_NOT_FOUND")
        }
    }

    /// A NUL character (U+0000) anywhere a store would keep or look up text is refused before any store sees it: SQLite's
    /// driver would cut the text there without a word, PostgreSQL cannot hold it.
    @Test func aNULCharacterIsRefusedWhole() async throws {
        try await Fixture().run { client in
            let created = try await Self.post(client, "/api/2.0/mlflow/runs/create", #"{"experiment_id":"0"}"#)
            let runID = try #require(try Self.body(created)["run"]?["info"]?["run_id"]?.stringValue)
            let requests: [(String, String?)] = [
                ("/api/2.0/mlflow/runs/set-tag", #"{"run_id":"\#(runID)","key":"t","value":"x\u0000y"}"#),
                (
                    "/api/2.0/mlflow/runs/log-batch",
                    #"{"run_id":"\#(runID)","params":[{"key":"p","value":"1"}],"tags":[{"key":"t\u0000","value":"v"}]}"#
                ),
                ("/api/2.0/mlflow/experiments/create", #"{"name":"e","tags":[{"key":"k","value":"\u0000"}]}"#),
                ("/api/2.0/mlflow/runs/search", #"{"experiment_ids":["0\u0000"]}"#),
                ("/api/2.0/mlflow/experiments/get-by-name?experiment_name=e%00x", nil),
                // Routes that read the body as one document: the NUL is refused wherever it sits.
                ("/api/2.0/kaizen/monitor/feedback", #"{"endpoint":"e","feedback":[{"request_id":"r\u0000"}]}"#),
                ("/api/2.0/kaizen/monitor/rules/set", #"{"endpoint":"e","rules":[{"name\u0000":1}]}"#),
            ]
            for (uri, body) in requests {
                let response =
                    if let body {
                        try await Self.post(client, uri, body)
                    } else {
                        try await client.execute(uri: uri, method: .get)
                    }
                #expect(response.status == .badRequest, "\(uri)")
                #expect(try Self.body(response)["error_code"] == "INVALID_PARAMETER_VALUE", "\(uri)")
                #expect(
                    try Self.body(response)["message"]?.stringValue?.contains("NUL character") == true, "\(uri)")
            }
            let run = try await client.execute(uri: "/api/2.0/mlflow/runs/get?run_id=\(runID)", method: .get)
            let data = try Self.body(run)["run"]?["data"]
            #expect(data?["params"] == nil && data?["tags"]?.arrayValue?.count == 1)
            let experiments = try await Self.post(client, "/api/2.0/mlflow/experiments/search", #"{"max_results":10}"#)
            #expect(try Self.body(experiments)["experiments"]?.arrayValue?.count == 1)
        }
    }

    @Test func artifactProxyRefusesTraversal() async throws {
        let fixture = Fixture()
        try await fixture.run { client in
            let put = try await client.execute(
                uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/a.txt", method: .put,
                body: ByteBuffer(string: "hello"))
            #expect(put.status == .ok)
            let get = try await client.execute(
                uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/a.txt", method: .get)
            #expect(String(buffer: get.body) == "hello")
            #expect(get.headers[.contentType] == "text/plain")
            let list = try await client.execute(
                uri: "/api/2.0/mlflow-artifacts/artifacts?path=0/run/artifacts", method: .get)
            #expect(
                try Self.body(list)["files"] == [.object([("path", "a.txt"), ("is_dir", false), ("file_size", 5)])])
            for probe in [
                "..%2F..%2F..%2Fetc%2Fpasswd", "%252e%252e%252f%252e%252e%252fetc%252fpasswd", "%2Fetc%2Fpasswd",
                "a/..%2F..%2F..%2Fetc/passwd", "%2e%2e/%2e%2e/etc/passwd",
            ] {
                for method in [HTTPRequest.Method.get, .put, .delete] {
                    let response = try await client.execute(
                        uri: "/api/2.0/mlflow-artifacts/artifacts/\(probe)", method: method,
                        body: ByteBuffer(string: "x"))
                    #expect(response.status == .badRequest, "\(method) \(probe)")
                    #expect(try Self.body(response)["message"] == "Invalid path")
                }
            }
            for query in ["../../etc", "/etc", "..%2F..%2Fetc", "%252e%252e%252fetc", "file:///etc", "a%23/../../etc"] {
                let response = try await client.execute(
                    uri: "/api/2.0/mlflow-artifacts/artifacts?path=\(query)", method: .get)
                #expect(response.status == .badRequest, "list \(query)")
            }
            let missing = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/nope.txt", method: .get)
            #expect(missing.status == .notFound)
            let mpu = try await Self.post(
                client, "/api/2.0/mlflow-artifacts/mpu/create/..%2F..%2Ftmp", #"{"path":"x","num_parts":1}"#)
            #expect(mpu.status == .badRequest)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/etc"))
    }

    @Test func systemEndpoints() async throws {
        try await Fixture().run { client in
            #expect(String(buffer: try await client.execute(uri: "/health", method: .get).body) == "OK")
            #expect(
                String(buffer: try await client.execute(uri: "/version", method: .get).body) == mlflowCompatibleVersion)
            let info = try await client.execute(uri: "/api/3.0/mlflow/server-info", method: .get)
            #expect(try Self.body(info)["multipart_uploads_enabled"] == false)
            // A local folder has no multipart uploads: 501 with MLflow's exact message, on which its client falls
            // back to a plain PUT.
            let mpu = try await Self.post(
                client, "/api/2.0/mlflow-artifacts/mpu/create/0/run/artifacts",
                #"{"path":"/tmp/big.bin","num_parts":2}"#)
            #expect(mpu.status == .notImplemented)
            #expect(try Self.body(mpu)["error_code"] == "NOT_IMPLEMENTED")
            #expect(
                try Self.body(mpu)["message"]
                    == "Multipart upload is not supported for the current artifact repository")
        }
    }

    @Test func hostNamesAreParsed() {
        #expect(HostCheckMiddleware<BasicRequestContext>.hostName("Evil.com:5000") == "evil.com")
        #expect(HostCheckMiddleware<BasicRequestContext>.hostName("[::1]:80") == "[::1]")
        #expect(HostCheckMiddleware<BasicRequestContext>.isIPLiteral("10.0.0.7"))
        #expect(!HostCheckMiddleware<BasicRequestContext>.isIPLiteral("evil.com"))
    }
}
