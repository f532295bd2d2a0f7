import AsyncHTTPClient
import Foundation
import KaizenCore
import NIOCore
import NIOHTTP1

extension TrackingClient {
    /// The bytes of a run's artifact named by `runs:/<run_id>/<path>`: read through the tracking server's artifact
    /// proxy for `mlflow-artifacts:` runs, from the file for runs whose artifacts are in a local folder. At most
    /// `limit` bytes. Returns the file's name with its bytes.
    public func runArtifact(_ uri: String, limit: Int) async throws -> (name: String, bytes: [UInt8]) {
        guard uri.hasPrefix("runs:/") else { throw KaizenError.invalidParameter("'\(uri)' is not a runs:/ URI") }
        let parts = uri.dropFirst("runs:/".count).split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].allSatisfy({ $0.isHexDigit }), parts[0].count <= 64,
            parts.dropFirst().allSatisfy({ $0 != "." && $0 != ".." && !$0.contains("\\") })
        else {
            throw KaizenError.invalidParameter("'\(uri)' is not runs:/<run_id>/<path> with a relative path")
        }
        let run = try await call("runs/get", get: [("run_id", String(parts[0]))])
        guard let root = run["run"]?["info"]?["artifact_uri"]?.stringValue else {
            throw ClientError(description: "The tracking server gave no artifact location for run \(parts[0])")
        }
        let path = parts.dropFirst().joined(separator: "/")
        let name = String(parts.last ?? "")
        if let proxy = ModelLocator.proxyPath(root) {
            let encoded = (proxy.split(separator: "/") + parts.dropFirst()).map {
                $0.addingPercentEncoding(
                    withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0)
            }.joined(separator: "/")
            let request = HTTPClientRequest(
                url: baseURL.absoluteString + "/api/2.0/mlflow-artifacts/artifacts/" + encoded)
            return try await withHTTPClient(readTimeout: .seconds(300)) { http in
                let response = try await execute(request, on: http, timeout: .seconds(600))
                guard response.status == .ok else {
                    throw ClientError(description: "Reading \(uri) failed: HTTP \(response.status.code)")
                }
                do {
                    return (name, Array((try await response.body.collect(upTo: limit)).readableBytesView))
                } catch is NIOTooManyBytesError {
                    throw KaizenError.invalidParameter("\(uri) is larger than \(limit) bytes")
                }
            }
        }
        let file = URL(fileURLWithPath: ModelLocator.localPath(root)).appendingPathComponent(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        guard size <= limit else { throw KaizenError.invalidParameter("\(uri) is larger than \(limit) bytes") }
        do { return (name, [UInt8](try Data(contentsOf: file))) } catch {
            throw ClientError(description: "Cannot read \(uri) at \(file.path): \(error.localizedDescription)")
        }
    }
}
