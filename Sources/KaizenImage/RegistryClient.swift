import AsyncHTTPClient
import Foundation
import KaizenCore
import NIOCore
import NIOHTTP1
import Synchronization

/// What a push did.
public struct PushResult: Sendable, Equatable {
    /// Digests of the blobs uploaded.
    public var uploaded: [String]
    /// Digests of the blobs the registry already had.
    public var skipped: [String]
    /// The manifest's digest, as computed here and confirmed by the registry.
    public var manifestDigest: String
}

/// Pushes images to a registry that speaks the OCI distribution spec: each blob the registry lacks is uploaded
/// (monolithic `POST` then `PUT`, streamed from disk), then the manifest under the tag. Authentication follows
/// the registry's challenge (anonymous, Basic, or a Bearer token from its token service). Every digest the
/// registry answers is checked, and the manifest is sent only once every blob is in place, so a failed push leaves
/// no tag pointing at missing content.
public final class RegistryClient: Sendable {
    public let reference: ImageReference
    let base: String
    let credentials: RegistryCredentials?
    let authorization = Mutex<String?>(nil)
    static let maximumRedirects = 5

    /// - Parameter plainHTTP: speak HTTP rather than HTTPS; the default for registries on loopback.
    public init(reference: ImageReference, credentials: RegistryCredentials?, plainHTTP: Bool? = nil) {
        self.reference = reference
        self.credentials = credentials
        let scheme = (plainHTTP ?? reference.isLoopback) ? "http" : "https"
        base = "\(scheme)://\(reference.apiHost)"
    }

    /// Pushes `image` from `store`; `progress` is told of each blob as it is skipped or uploaded.
    public func push(
        _ image: BuiltImage, from store: BlobStore, progress: @Sendable (String) -> Void = { _ in }
    ) async throws(ImageError) -> PushResult {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(300))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await push(image, from: store, on: client, progress: progress)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func push(
        _ image: BuiltImage, from store: BlobStore, on client: HTTPClient, progress: @Sendable (String) -> Void
    ) async throws(ImageError) -> PushResult {
        let repository = "\(base)/v2/\(reference.repository)"
        var result = PushResult(uploaded: [], skipped: [], manifestDigest: image.manifest.digest)
        for blob in image.blobs {
            let head = try await send(.HEAD, "\(repository)/blobs/\(blob.digest)", on: client)
            if head.status == 200 {
                result.skipped.append(blob.digest)
                progress("\(blob.digest) already in \(reference.registry)")
                continue
            }
            guard head.status == 404 else { throw unexpected(head, doing: "checking blob \(blob.digest)") }
            let started = try await send(.POST, "\(repository)/blobs/uploads/", body: .bytes([]), on: client)
            guard started.status == 202, let location = started.headers.first(name: "Location") else {
                throw unexpected(started, doing: "starting the upload of \(blob.digest)")
            }
            var target = resolve(location, against: "\(repository)/blobs/uploads/")
            target +=
                (target.contains("?") ? "&" : "?") + "digest=" + blob.digest.replacingOccurrences(of: ":", with: "%3A")
            let uploaded = try await send(
                .PUT, target, headers: [("Content-Type", "application/octet-stream")],
                body: .file(try store.path(of: blob.digest), size: blob.size), on: client)
            guard uploaded.status == 201 || uploaded.status == 204 else {
                throw unexpected(uploaded, doing: "uploading \(blob.digest)")
            }
            try check(uploaded, answers: blob.digest, for: "blob")
            result.uploaded.append(blob.digest)
            progress("\(blob.digest) uploaded (\(blob.size) bytes)")
        }
        let manifest = try store.read(image.manifest.digest)
        let answer = try await send(
            .PUT, "\(repository)/manifests/\(reference.tag)",
            headers: [("Content-Type", image.manifest.mediaType)], body: .bytes(manifest), on: client)
        guard answer.status == 201 || answer.status == 200 || answer.status == 204 else {
            throw unexpected(answer, doing: "putting the manifest")
        }
        try check(answer, answers: image.manifest.digest, for: "manifest")
        return result
    }

    /// The registry's `Docker-Content-Digest`, when it sends one, must be the digest sent.
    func check(_ answer: Answer, answers digest: String, for what: String) throws(ImageError) {
        guard let returned = answer.headers.first(name: "Docker-Content-Digest"), returned != digest else { return }
        throw ImageError(
            .digestMismatch,
            "\(reference.registry) answered digest \(returned) for the \(what) \(digest); the push is stopped")
    }

    func unexpected(_ answer: Answer, doing what: String) -> ImageError {
        ImageError(
            .registry,
            "\(reference.registry) answered HTTP \(answer.status) while \(what)"
                + (answer.text.isEmpty ? "" : ": \(answer.text.prefix(300))"))
    }

    // MARK: - Requests

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Body {
        case bytes([UInt8])
        case file(String, size: Int64)
    }

    /// One request, following redirects (at most five) and answering one authentication challenge. The
    /// `Authorization` header goes only to the registry's own host, never to a host it redirects to.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Body? = nil, on client: HTTPClient
    ) async throws(ImageError) -> Answer {
        var url = url
        var method = method
        var redirects = 0
        var challenged = false
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "User-Agent", value: "kaizen")
            if isRegistryHost(url), let authorization = authorization.withLock({ $0 }) {
                request.headers.add(name: "Authorization", value: authorization)
            }
            switch body {
            case .bytes(let bytes)?:
                request.body = .bytes(ByteBuffer(bytes: bytes))
            case .file(let path, let size)?:
                request.body = .stream(FileBuffers(reader: try FileReader(path: path)), length: .known(size))
            case nil: break
            }
            let answer = try await execute(request, on: client)
            switch answer.status {
            case 401 where !challenged && isRegistryHost(url):
                challenged = true
                try await authenticate(answer, on: client)
            case 401:
                throw ImageError(
                    .authentication,
                    credentials.map { "\(reference.registry) refused the credentials of user '\($0.username)'" }
                        ?? "\(reference.registry) needs credentials: set them in ~/.docker/config.json or "
                        + "KAIZEN_REGISTRY_USERNAME and KAIZEN_REGISTRY_PASSWORD")
            case 301, 302, 303, 307, 308:
                redirects += 1
                guard redirects <= Self.maximumRedirects, let location = answer.headers.first(name: "Location") else {
                    throw ImageError(
                        .registry,
                        "\(reference.registry) redirected \(method) \(url) more than \(Self.maximumRedirects) times "
                            + "(a redirect loop?)")
                }
                url = resolve(location, against: url)
                if answer.status == 303 { method = .GET }
            default:
                return answer
            }
        }
    }

    func execute(_ request: HTTPClientRequest, on client: HTTPClient) async throws(ImageError) -> Answer {
        do {
            let response = try await client.execute(request, timeout: .seconds(600))
            var body: [UInt8] = []
            if request.method != .HEAD {
                // Registries answer small JSON documents; more than a megabyte is not read.
                for try await chunk in response.body {
                    if body.count < 1 << 20 { body += chunk.readableBytesView.prefix((1 << 20) - body.count) }
                }
            }
            return Answer(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(
                .registry, "Cannot reach \(reference.registry) (\(request.method) \(request.url)): \(error)")
        }
    }

    /// Answers a 401's challenge: Basic with the credentials, or a Bearer token from the realm it names.
    func authenticate(_ answer: Answer, on client: HTTPClient) async throws(ImageError) {
        guard let header = answer.headers.first(name: "WWW-Authenticate"),
            let challenge = AuthenticationChallenge(header)
        else {
            throw ImageError(.authentication, "\(reference.registry) answered 401 without a WWW-Authenticate challenge")
        }
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw ImageError(
                    .authentication,
                    "\(reference.registry) needs credentials: set them in ~/.docker/config.json or "
                        + "KAIZEN_REGISTRY_USERNAME and KAIZEN_REGISTRY_PASSWORD")
            }
            authorization.withLock { $0 = credentials.basic }
        case "bearer":
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
                components.scheme == "https" || components.scheme == "http"
            else {
                throw ImageError(.authentication, "\(reference.registry) named no usable token realm in '\(header)'")
            }
            var query = components.queryItems ?? []
            if let service = challenge.parameters["service"] {
                query.append(URLQueryItem(name: "service", value: service))
            }
            query.append(URLQueryItem(name: "scope", value: "repository:\(reference.repository):pull,push"))
            components.queryItems = query
            var request = HTTPClientRequest(url: components.url?.absoluteString ?? realm)
            request.headers.add(name: "User-Agent", value: "kaizen")
            if let credentials { request.headers.add(name: "Authorization", value: credentials.basic) }
            let reply = try await execute(request, on: client)
            guard reply.status == 200 else {
                throw ImageError(
                    .authentication,
                    "The token service of \(reference.registry) refused "
                        + (credentials.map { "the credentials of user '\($0.username)'" } ?? "an anonymous token")
                        + " (HTTP \(reply.status))")
            }
            let document = try? JSONValue(parsing: reply.body)
            guard let token = document?["token"]?.stringValue ?? document?["access_token"]?.stringValue,
                !token.isEmpty
            else {
                throw ImageError(.authentication, "The token service of \(reference.registry) sent no token")
            }
            authorization.withLock { $0 = "Bearer " + token }
        default:
            throw ImageError(
                .authentication,
                "\(reference.registry) asks for \(challenge.scheme) authentication, which Kaizen does not speak")
        }
    }

    func isRegistryHost(_ url: String) -> Bool {
        url.hasPrefix(base + "/")
    }

    /// `location` (absolute, or a path on the same host) as an absolute URL.
    func resolve(_ location: String, against url: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        guard let baseURL = URL(string: url), let resolved = URL(string: location, relativeTo: baseURL) else {
            return base + (location.hasPrefix("/") ? location : "/" + location)
        }
        return resolved.absoluteString
    }
}

/// A file's bytes as the chunks of a streamed request body.
final class FileBuffers: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer
    // Used by one request at a time, which reads its body sequentially.
    let reader: FileReader
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    init(reader: FileReader) {
        self.reader = reader
    }

    deinit { buffer.deallocate() }

    func makeAsyncIterator() -> Iterator { Iterator(source: self) }

    struct Iterator: AsyncIteratorProtocol {
        let source: FileBuffers

        func next() async throws -> ByteBuffer? {
            try source.next()
        }
    }

    func next() throws -> ByteBuffer? {
        guard let count = try reader.nextChunk(into: buffer) else { return nil }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}
