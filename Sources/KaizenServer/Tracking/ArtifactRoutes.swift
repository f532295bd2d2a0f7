import Foundation
import HTTPTypes
import Hummingbird
import KaizenArtifacts
import KaizenCore
import KaizenTracking

/// The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`): uploads stream to disk, downloads
/// stream from disk, and every path passes `ArtifactPath`'s traversal checks first.
enum ArtifactRoutes {
    static let prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]

    /// The artifact path of a request: the raw URL path after `artifacts/`, decoded by `ArtifactPath`.
    static func path(of request: Request, after marker: String) throws(KaizenError) -> ArtifactPath {
        let raw = request.uri.path
        guard let range = raw.range(of: marker) else { throw ArtifactPath.invalid }
        return try ArtifactPath(validating: String(raw[range.upperBound...]))
    }

    static func register<Context: RequestContext>(
        on router: Router<Context>, store: any ArtifactStore, fileIO: FileIO
    ) {
        for prefix in prefixes {
            let marker = "\(prefix)/artifacts/"
            router.get(RouterPath("\(prefix)/artifacts")) { request, _ in
                let query = QueryString.parse(request.uri.query ?? "")
                let path = try ArtifactPath(validating: query["path"]?.stringValue ?? "")
                return JSONResponse.make(listing(try store.list(path)))
            }
            router.get(RouterPath("\(prefix)/artifacts/**")) { request, context in
                let path = try Self.path(of: request, after: marker)
                let file = try store.fileForReading(path)
                let body = try await fileIO.loadFile(path: file, context: context)
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: contentType(for: path.name),
                        .contentDisposition:
                            "attachment; filename=\"\(path.name.replacingOccurrences(of: "\"", with: ""))\"",
                        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                    ], body: body)
            }
            router.put(RouterPath("\(prefix)/artifacts/**")) { request, context in
                guard !request.uri.path.hasSuffix("/") else {
                    throw KaizenError.invalidParameter("Cannot upload to a directory path: the path ends with '/'")
                }
                let path = try Self.path(of: request, after: marker)
                let upload = try store.prepareUpload(path)
                do {
                    try await fileIO.writeFile(contents: request.body, path: upload.temporaryPath, context: context)
                    try store.commit(upload)
                } catch {
                    store.abandon(upload)
                    throw error
                }
                return JSONResponse.empty
            }
            router.delete(RouterPath("\(prefix)/artifacts/**")) { request, _ in
                try store.delete(try Self.path(of: request, after: marker))
                return JSONResponse.empty
            }
            for action in ["create", "complete", "abort"] {
                router.post(RouterPath("\(prefix)/mpu/\(action)/**")) { request, _ in
                    _ = try Self.path(of: request, after: "\(prefix)/mpu/\(action)/")
                    let error = KaizenError(
                        .notImplemented, "Multipart upload is not supported by the local artifact store")
                    return ErrorMiddleware<Context>.response(for: error)
                }
            }
        }
    }

    static func listing(_ entries: [ArtifactEntry]) -> JSONValue {
        .fields(
            (
                "files",
                .repeated(entries) { entry in
                    .fields(
                        ("path", .string(entry.name)), ("is_dir", .bool(entry.isDirectory)),
                        ("file_size", entry.size.map { .integer($0) }))
                }
            ))
    }

    static func contentType(for name: String) -> String {
        let lower = name.lowercased()
        if lower == "mlmodel" { return "text/plain" }
        guard let dot = lower.lastIndex(of: ".") else { return "application/octet-stream" }
        switch lower[lower.index(after: dot)...] {
        case "txt", "yaml", "yml", "log", "md", "py", "csv": return "text/plain"
        case "json": return "application/json"
        case "html", "htm": return "text/html"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        default: return "application/octet-stream"
        }
    }

    /// `/api/2.0/mlflow/artifacts/list`: a run's artifacts, for the UI and non-proxied clients.
    static func registerRunListing(
        on endpoints: EndpointRegistrar<some RequestContext>, tracking: TrackingService, store: any ArtifactStore
    ) {
        endpoints.register("artifacts/list", methods: [.get]) { message in
            let run = try await tracking.run(id: try RunRoutes.runID(message))
            let relative = try ArtifactPath(validating: try message.string("path") ?? "")
            let rootURI = run.info.artifactURI
            var entries: [ArtifactEntry] = []
            if rootURI.hasPrefix("mlflow-artifacts:") {
                let base = try ArtifactPath(validating: String(rootURI.dropFirst("mlflow-artifacts:".count)))
                var directory = base
                for segment in relative.segments { directory = directory.appending(segment) }
                entries = try store.list(directory)
            }
            let prefix = relative.isRoot ? "" : relative.description + "/"
            return .fields(
                ("root_uri", .string(rootURI)),
                (
                    "files",
                    .repeated(entries) { entry in
                        .fields(
                            ("path", .string(prefix + entry.name)), ("is_dir", .bool(entry.isDirectory)),
                            ("file_size", entry.size.map { .integer($0) }))
                    }
                ))
        }
    }
}
