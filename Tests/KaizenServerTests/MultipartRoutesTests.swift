import Foundation
import Hummingbird
import HummingbirdTesting
import KaizenArtifacts
import KaizenCore
import KaizenStorage
import Synchronization
import Testing

@testable import KaizenServer

/// MLflow's `mpu` routes over a store that has multipart uploads: the JSON of each answer, the file path made of the
/// URL's directory and the body's file name, and the checks that come before the store is reached.
struct MultipartRoutesTests {
    /// A local folder that also records multipart calls and hands out fake part URLs.
    final class RecordingStore: MultipartArtifactStore {
        let folder: LocalArtifactStore
        let calls = Mutex<[String]>([])

        init(root: String) throws {
            folder = try LocalArtifactStore(root: root)
        }

        func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] { try await folder.list(path) }
        func read(_ path: ArtifactPath) async throws -> ArtifactContent { try await folder.read(path) }
        func write<Chunks: AsyncSequence & Sendable>(_ path: ArtifactPath, from chunks: Chunks) async throws -> Int64
        where Chunks.Element == [UInt8] { try await folder.write(path, from: chunks) }
        func delete(_ path: ArtifactPath) async throws { try await folder.delete(path) }

        func createMultipartUpload(_ path: ArtifactPath, parts: Int) async throws -> MultipartUpload {
            guard parts >= 1 else { throw KaizenError.invalidParameter("num_parts must be at least 1") }
            calls.withLock { $0.append("create \(path) \(parts)") }
            return MultipartUpload(
                uploadID: "up-1",
                credentials: (1...parts).map { .init(partNumber: $0, url: "http://s3.test/\(path)?partNumber=\($0)") })
        }

        func completeMultipartUpload(_ path: ArtifactPath, uploadID: String, parts: [MultipartUploadPart]) async throws
        {
            let list = parts.map { "\($0.partNumber):\($0.etag)" }.joined(separator: ",")
            calls.withLock { $0.append("complete \(path) \(uploadID) \(list)") }
        }

        func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws {
            calls.withLock { $0.append("abort \(path) \(uploadID)") }
        }
    }

    static func run(
        _ test: @escaping @Sendable (any TestClientProtocol, RecordingStore) async throws -> Void
    )
        async throws
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-mpu-\(UUID())").path
        let configuration = ServerConfiguration(maxRequestBodySize: 1 << 20, workingDirectory: directory)
        let database = try SQLiteBackend(location: directory + "/kaizen.db")
        let store = try RecordingStore(root: directory + "/artifacts")
        let stores = ServerStores(
            tracking: database.tracking, registry: database.registry, webhooks: database.webhooks, artifacts: store,
            endpoints: database.endpoints, monitoring: database.monitoring)
        let services = try await KaizenServices(stores: stores, configuration: configuration)
        let app = Application(router: buildRouter(services: services, configuration: configuration))
        try await app.test(.router) { client in try await test(client, store) }
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ text: String) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
    }

    static func body(_ response: TestResponse) throws -> JSONValue {
        try JSONValue(parsing: response.body.readableBytesView)
    }

    @Test func createCompleteAndAbort() async throws {
        try await Self.run { client, store in
            let info = try await client.execute(uri: "/api/3.0/mlflow/server-info", method: .get)
            #expect(try Self.body(info)["multipart_uploads_enabled"] == .bool(true))

            let base = "/api/2.0/mlflow-artifacts/mpu"
            let created = try await Self.post(
                client, "\(base)/create/1/run/artifacts/large", #"{"path":"/home/me/data/w.bin","num_parts":2}"#)
            #expect(created.status == .ok)
            #expect(
                String(buffer: created.body)
                    == #"{"upload_id":"up-1","credentials":[{"url":"http://s3.test/1/run/artifacts/large/w.bin?partNumber=1","part_number":1,"headers":{}},{"url":"http://s3.test/1/run/artifacts/large/w.bin?partNumber=2","part_number":2,"headers":{}}]}"#
            )
            let completed = try await Self.post(
                client, "\(base)/complete/1/run/artifacts/large",
                #"{"path":"w.bin","upload_id":"up-1","parts":[{"part_number":1,"etag":"\"a\"","url":"u"},{"part_number":2,"etag":"\"b\""}]}"#
            )
            #expect(completed.status == .ok)
            #expect(String(buffer: completed.body) == "{}")
            let aborted = try await Self.post(
                client, "/ajax-api/2.0/mlflow-artifacts/mpu/abort/1/run/artifacts",
                #"{"path":"x.bin","upload_id":"u2"}"#)
            #expect(aborted.status == .ok)
            // The file name is the body's, as sent: no percent-decoding.
            let named = try await Self.post(client, "\(base)/create/1/run", #"{"path":"C:/x/100% a+b.bin"}"#)
            #expect(named.status == .ok)
            #expect(
                store.calls.withLock { $0 } == [
                    "create 1/run/artifacts/large/w.bin 2",
                    #"complete 1/run/artifacts/large/w.bin up-1 1:"a",2:"b""#,
                    "abort 1/run/artifacts/x.bin u2",
                    "create 1/run/100% a+b.bin 1",
                ])
        }
    }

    @Test func badRequestsNeverReachTheStore() async throws {
        try await Self.run { client, store in
            let base = "/api/2.0/mlflow-artifacts/mpu"
            let refused: [(String, String)] = [
                ("\(base)/create/..%2F..%2Ftmp", #"{"path":"x","num_parts":1}"#),
                ("\(base)/create/%252e%252e%252ftmp", #"{"path":"x","num_parts":1}"#),
                ("\(base)/create/1/run", #"{"path":"..","num_parts":1}"#),
                ("\(base)/create/1/run", #"{"path":"dir/","num_parts":1}"#),
                ("\(base)/create/1/run", #"{"num_parts":1}"#),
                ("\(base)/create/1/run", #"{"path":"x","num_parts":"many"}"#),
                ("\(base)/complete/1/run", #"{"path":"x","parts":[{"part_number":1,"etag":"e"}]}"#),
                ("\(base)/complete/1/run", #"{"path":"x","upload_id":"u","parts":[]}"#),
                ("\(base)/abort/..%2Fx", #"{"path":"x","upload_id":"u"}"#),
            ]
            for (target, body) in refused {
                let response = try await Self.post(client, target, body)
                #expect(response.status == .badRequest, "\(target) \(body)")
            }
            #expect(store.calls.withLock { $0 } == [])
        }
    }
}
