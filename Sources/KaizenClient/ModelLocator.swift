import AsyncHTTPClient
public import Foundation
import KaizenCore
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A model URI resolved to one version and the place its files are.
public struct LocatedModel: Sendable, Equatable {
    /// The registered model name, or the logged model's, run path's, folder's or file's name.
    public var name: String
    /// The registered version, when the reference went through the registry.
    public var version: String?
    /// Where the files are: `mlflow-artifacts:/...` (through the tracking server's proxy) or a local path.
    public var location: String
}

/// Resolves model URIs through the tracking server's REST API and downloads model folders through its artifact
/// proxy, checking every name the server lists so nothing is written outside the target folder.
public struct ModelLocator: Sendable {
    public let client: TrackingClient?
    /// The most bytes one model download may hold.
    public var maximumBytes: Int64 = 4 << 30

    public init(client: TrackingClient?) {
        self.client = client
    }

    func requireClient(for reference: ModelReference) throws -> TrackingClient {
        guard let client else {
            throw KaizenError.invalidParameter(
                "\(reference) needs a tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri")
        }
        return client
    }

    /// The version `reference` names now, and where its files are.
    public func locate(_ reference: ModelReference) async throws -> LocatedModel {
        switch reference {
        case .local(let url):
            let name =
                url.hasDirectoryPath || url.pathExtension.isEmpty
                ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
            return LocatedModel(name: name, version: nil, location: url.path)
        case .version(let name, let version):
            return try await registered(name: name, version: version, client: requireClient(for: reference))
        case .stage(let name, let stage):
            let client = try requireClient(for: reference)
            var body: [(String, JSONValue)] = [("name", .string(name))]
            if let stage { body.append(("stages", .array([.string(stage)]))) }
            let response = try await client.call("registered-models/get-latest-versions", post: .object(body))
            let versions = (response["model_versions"]?.arrayValue ?? []).compactMap {
                $0["version"]?.stringValue.flatMap { Int($0) }
            }
            guard let newest = versions.max() else {
                throw KaizenError.notFound("Registered model '\(name)' has no version in stage \(stage ?? "any")")
            }
            return try await registered(name: name, version: String(newest), client: client)
        case .alias(let name, let alias):
            let client = try requireClient(for: reference)
            let response = try await client.call("registered-models/alias", get: [("name", name), ("alias", alias)])
            guard let version = response["model_version"]?["version"]?.stringValue else {
                throw KaizenError.notFound("Registered model '\(name)' has no alias '\(alias)'")
            }
            return try await registered(name: name, version: version, client: client)
        case .loggedModel(let id):
            let client = try requireClient(for: reference)
            let info = try await client.call("logged-models/\(id)", get: [])["model"]?["info"]
            guard let location = info?["artifact_uri"]?.stringValue else {
                throw KaizenError.notFound("Logged model '\(id)' has no artifact location")
            }
            return LocatedModel(name: info?["name"]?.stringValue ?? id, version: nil, location: location)
        case .run(let id, let path):
            let client = try requireClient(for: reference)
            let run = try await client.call("runs/get", get: [("run_id", id)])["run"]
            guard let root = run?["info"]?["artifact_uri"]?.stringValue else {
                throw KaizenError.notFound("Run '\(id)' has no artifact location")
            }
            let name = path.split(separator: "/").last.map(String.init) ?? id
            let location = path.isEmpty ? root : root + "/" + path
            if try await hasModelFile(at: location, client: client) {
                return LocatedModel(name: name, version: nil, location: location)
            }
            // MLflow 3 keeps a model logged in a run under the logged model, not the run's artifacts.
            let experiment = run?["info"]?["experiment_id"]?.stringValue ?? "0"
            let found = try await client.call(
                "logged-models/search",
                post: .object([
                    ("experiment_ids", .array([.string(experiment)])), ("max_results", 100),
                ]))
            let match = (found["models"]?.arrayValue ?? []).first {
                $0["info"]?["source_run_id"]?.stringValue == id && $0["info"]?["name"]?.stringValue == path
            }
            guard let logged = match?["info"]?["artifact_uri"]?.stringValue else {
                throw KaizenError.notFound("Run '\(id)' has no model at '\(path)'")
            }
            return LocatedModel(name: name, version: nil, location: logged)
        }
    }

    func registered(name: String, version: String, client: TrackingClient) async throws -> LocatedModel {
        let response = try await client.call(
            "model-versions/get-download-uri", get: [("name", name), ("version", version)])
        guard let location = response["artifact_uri"]?.stringValue else {
            throw KaizenError.notFound("Model '\(name)' version \(version) has no download location")
        }
        return LocatedModel(name: name, version: version, location: location)
    }

    func hasModelFile(at location: String, client: TrackingClient) async throws -> Bool {
        guard let path = Self.proxyPath(location) else {
            return FileManager.default.fileExists(
                atPath: URL(fileURLWithPath: Self.localPath(location)).appendingPathComponent("MLmodel").path)
        }
        return try await list(path, client: client).contains { $0.name == "MLmodel" && !$0.isDirectory }
    }

    /// The model's files on local disk: the folder itself when `location` is local, else a download into `folder`.
    ///
    /// A download streams each file to disk, refuses names that could leave `folder`, stops past `maximumBytes`,
    /// and leaves no partial file behind; when it fails, a `folder` that it created is removed again.
    public func fetch(_ model: LocatedModel, into folder: URL) async throws -> URL {
        guard let path = Self.proxyPath(model.location) else {
            if model.location.contains("://") && !model.location.hasPrefix("file://") {
                throw KaizenError.invalidParameter(
                    "Model files at \(model.location) are not reachable: Kaizen reads mlflow-artifacts:/ (through the "
                        + "tracking server) and local paths")
            }
            return URL(fileURLWithPath: Self.localPath(model.location))
        }
        guard let client else {
            throw KaizenError.invalidParameter("Downloading \(model.location) needs a tracking server")
        }
        let existed = FileManager.default.fileExists(atPath: folder.path)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await client.withHTTPClient(readTimeout: .seconds(300)) { http in
                var total: Int64 = 0
                try await download(path, into: folder, client: client, http: http, depth: 0, total: &total)
            }
        } catch {
            if !existed { try? FileManager.default.removeItem(at: folder) }
            throw error
        }
        return folder
    }

    struct Entry {
        var name: String
        var isDirectory: Bool
    }

    func list(_ path: String, client: TrackingClient, http: HTTPClient? = nil) async throws -> [Entry] {
        var components = URLComponents(
            url: client.baseURL.appendingPathComponent("api/2.0/mlflow-artifacts/artifacts"),
            resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "path", value: path)]
        guard let url = components?.url else { throw KaizenError.invalidParameter("Bad artifact path \(path)") }
        let request = HTTPClientRequest(url: url.absoluteString)
        let listing: JSONValue
        if let http {
            listing = try await client.send(request, on: http)
        } else {
            listing = try await client.send(request)
        }
        return try (listing["files"]?.arrayValue ?? []).map { file in
            let full = file["path"]?.stringValue ?? ""
            let name = String(full.split(separator: "/").last ?? "")
            guard Self.isSafeFileName(name) else {
                throw KaizenError.invalidParameter("The artifact listing of \(path) names an unsafe file '\(full)'")
            }
            return Entry(name: name, isDirectory: file["is_dir"] == .bool(true))
        }
    }

    func download(
        _ path: String, into folder: URL, client: TrackingClient, http: HTTPClient, depth: Int, total: inout Int64
    ) async throws {
        guard depth < 16 else { throw KaizenError.invalidParameter("Model folder \(path) is nested too deeply") }
        for entry in try await list(path, client: client, http: http) {
            let child = path + "/" + entry.name
            let target = folder.appendingPathComponent(entry.name)
            if entry.isDirectory {
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                try await download(child, into: target, client: client, http: http, depth: depth + 1, total: &total)
                continue
            }
            let encoded = child.split(separator: "/").map {
                $0.addingPercentEncoding(
                    withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
                    ?? String($0)
            }.joined(separator: "/")
            let url = client.baseURL.absoluteString + "/api/2.0/mlflow-artifacts/artifacts/" + encoded
            let response = try await client.execute(HTTPClientRequest(url: url), on: http, timeout: .seconds(300))
            guard response.status == .ok else {
                throw ClientError(description: "Downloading \(child) failed: HTTP \(response.status.code)")
            }
            let announced = response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
            guard total + announced <= maximumBytes else { throw tooLarge(path) }
            do {
                try await write(response.body, to: target, total: &total, of: path)
            } catch let error as KaizenError {
                throw error
            } catch let error as ClientError {
                throw error
            } catch {
                throw ClientError(description: "Downloading \(child) failed: \(TransportFailure.reason(for: error))")
            }
        }
    }

    /// Streams `body` into a new hidden file beside `target`, renamed to `target` once complete; the hidden file
    /// is removed on any failure, so `target` is either the whole file or absent.
    func write(
        _ body: HTTPClientResponse.Body, to target: URL, total: inout Int64, of path: String
    ) async throws {
        let partial = target.deletingLastPathComponent().appendingPathComponent(".kaizen-\(UUID().uuidString).partial")
        // O_EXCL: never write through a link or into a file that is already there.
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ClientError(
                description: "Cannot create \(partial.path): \(String(cString: strerror(errno)).lowercased())")
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            for try await chunk in body {
                total += Int64(chunk.readableBytes)
                guard total <= maximumBytes else { throw tooLarge(path) }
                try chunk.withUnsafeReadableBytes { try file.write(contentsOf: $0) }
            }
            try file.close()
            guard rename(partial.path, target.path) == 0 else {
                throw ClientError(
                    description: "Cannot write \(target.path): \(String(cString: strerror(errno)).lowercased())")
            }
        } catch {
            try? file.close()
            unlink(partial.path)
            throw error
        }
    }

    func tooLarge(_ path: String) -> KaizenError {
        KaizenError.invalidParameter("Model at \(path) is larger than \(maximumBytes) bytes")
    }

    /// The proxy path of an `mlflow-artifacts:` URI, or `nil` for a local location.
    static func proxyPath(_ location: String) -> String? {
        guard location.hasPrefix("mlflow-artifacts:") else { return nil }
        var rest = Substring(location.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            rest = rest.drop { $0 != "/" }
        }
        return String(rest.drop { $0 == "/" })
    }

    static func localPath(_ location: String) -> String {
        if location.hasPrefix("file://"), let url = URL(string: location) { return url.path }
        return location
    }

    static func isSafeFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\")
            && !name.contains("\0")
    }
}
