import Foundation
import HTTPTypes
import Hummingbird
import KaizenArtifacts
import KaizenCore
import KaizenTracking
import NIOCore

/// The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`): uploads stream into the artifact store,
/// downloads stream out of it, and every path passes `ArtifactPath`'s traversal checks first.
enum ArtifactRoutes {
    static let prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]

    /// The artifact path of a request: the raw URL path after `artifacts/`, decoded by `ArtifactPath`.
    static func path(of request: Request, after marker: String) throws(KaizenError) -> ArtifactPath {
        let raw = request.uri.path
        guard let range = raw.range(of: marker) else { throw ArtifactPath.invalid }
        return try ArtifactPath(validating: String(raw[range.upperBound...]))
    }

    /// Registers listing, download, upload, delete and multipart uploads under both prefixes.
    static func register<Context: RequestContext>(on router: Router<Context>, store: any ArtifactStore) {
        for prefix in prefixes {
            let marker = "\(prefix)/artifacts/"
            router.get(RouterPath("\(prefix)/artifacts")) { request, _ in
                let query = QueryString.parse(request.uri.query ?? "")
                let path = try ArtifactPath(validating: query["path"]?.stringValue ?? "")
                return JSONResponse.make(listing(try await store.list(path)))
            }
            router.get(RouterPath("\(prefix)/artifacts/**")) { request, _ in
                let path = try Self.path(of: request, after: marker)
                // Opening happens here, so a missing file is still a 404 before any byte of a 200 is sent.
                let content = try await store.read(path)
                var headers: HTTPFields = [
                    .contentType: contentType(for: path.name),
                    .contentDisposition:
                        "attachment; filename=\"\(path.name.replacingOccurrences(of: "\"", with: ""))\"",
                    HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                    .acceptRanges: "bytes",
                ]
                // One byte range (`Range: bytes=a-b`), as previews ask for a large file's head.
                if let size = content.size, let header = request.headers[.range] {
                    guard let range = ByteRange(header: header, size: size) else {
                        headers[.contentRange] = "bytes */\(size)"
                        return Response(status: .rangeNotSatisfiable, headers: headers)
                    }
                    headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
                    // The store reads only the range (a seek, or an object store's own range request); the whole
                    // file's content is dropped unread.
                    let part = try await store.read(path, range: range.lowerBound...range.upperBound)
                    return Response(
                        status: .partialContent, headers: headers,
                        body: ResponseBody(contentLength: Int(range.upperBound - range.lowerBound + 1)) { writer in
                            for try await chunk in part { try await writer.write(ByteBuffer(bytes: chunk)) }
                            try await writer.finish(nil)
                        })
                }
                return Response(
                    status: .ok, headers: headers,
                    body: ResponseBody(contentLength: content.size.flatMap { Int(exactly: $0) }) { writer in
                        for try await chunk in content { try await writer.write(ByteBuffer(bytes: chunk)) }
                        try await writer.finish(nil)
                    })
            }
            router.put(RouterPath("\(prefix)/artifacts/**")) { request, _ in
                guard !request.uri.path.hasSuffix("/") else {
                    throw KaizenError.invalidParameter("Cannot upload to a directory path: the path ends with '/'")
                }
                let path = try Self.path(of: request, after: marker)
                // Artifacts can be whole models: no body limit, and the body streams to the store, never into memory.
                _ = try await store.write(path, from: request.body.map { [UInt8](buffer: $0) })
                return JSONResponse.empty
            }
            router.delete(RouterPath("\(prefix)/artifacts/**")) { request, _ in
                try await store.delete(try Self.path(of: request, after: marker))
                return JSONResponse.empty
            }
            registerMultipart(on: router, prefix: prefix, store: store)
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

    /// The path under the artifact root of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/abc/artifacts` or
    /// `mlflow-artifacts://host:port/1/abc/artifacts`); nil for any other URI.
    static func proxiedPath(_ uri: String) -> String? {
        guard uri.hasPrefix("mlflow-artifacts:") else { return nil }
        var rest = Substring(uri.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
        }
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        return String(rest)
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
            // A proxied run, or one whose client writes straight to the store's storage (`s3://` under its prefix).
            let base = try proxiedPath(rootURI).map { try ArtifactPath(validating: $0) } ?? store.path(ofURI: rootURI)
            if let base {
                var directory = base
                for segment in relative.segments { directory = directory.appending(segment) }
                entries = try await store.list(directory)
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
