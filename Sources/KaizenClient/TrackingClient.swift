import AsyncHTTPClient
public import Foundation
public import KaizenCore
import NIOCore
import NIOHTTP1

/// A small client of the MLflow REST API, for the `kaizen` command line and model servers.
///
/// Every call runs on SwiftNIO through AsyncHTTPClient, on a client that lives for the call (or for one model
/// download) and is shut down after it, so a `TrackingClient` needs no shutdown of its own.
public struct TrackingClient: Sendable {
    /// The tracking server's base URL, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL
    /// The largest JSON answer read from the server.
    static let maximumResponseBytes = 64 << 20

    public init(trackingURI: String) throws(KaizenError) {
        var text = trackingURI
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased())
        else {
            throw KaizenError.invalidParameter(
                "Tracking URI '\(trackingURI)' is not an http(s) URL; set MLFLOW_TRACKING_URI or --tracking-uri")
        }
        self.baseURL = url
    }

    /// Calls `/api/2.0/<namespace>/<path>` with GET and query fields.
    public func call(
        _ path: String, namespace: String = "mlflow", get query: [(String, String)]
    ) async throws -> JSONValue {
        var components = URLComponents(
            url: baseURL.appendingPathComponent("api/2.0/\(namespace)/" + path), resolvingAgainstBaseURL: false)
        components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url else { throw KaizenError.invalidParameter("Bad request URL for \(path)") }
        return try await send(HTTPClientRequest(url: url.absoluteString))
    }

    /// Sends a JSON body to `/api/2.0/<namespace>/<path>` with `method` (`POST`, `PATCH`, `DELETE`).
    public func call(
        _ path: String, namespace: String = "mlflow", post body: JSONValue, method: String = "POST"
    ) async throws -> JSONValue {
        var request = HTTPClientRequest(
            url: baseURL.appendingPathComponent("api/2.0/\(namespace)/" + path).absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        return try await send(request)
    }

    /// Sends `body` as it is to `/api/2.0/<namespace>/<path>` with POST, with fields in the query string.
    public func upload(
        _ path: String, namespace: String = "mlflow", query: [(String, String)], body: [UInt8], contentType: String
    ) async throws -> JSONValue {
        var components = URLComponents(
            url: baseURL.appendingPathComponent("api/2.0/\(namespace)/" + path), resolvingAgainstBaseURL: false)
        components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url else { throw KaizenError.invalidParameter("Bad request URL for \(path)") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request)
    }

    /// Sends one request on a client of its own.
    func send(_ request: HTTPClientRequest) async throws -> JSONValue {
        try await withHTTPClient(readTimeout: .seconds(30)) { http in try await send(request, on: http) }
    }

    /// Sends `request` on `http` and reads the JSON answer, at most `maximumResponseBytes` of it.
    func send(_ request: HTTPClientRequest, on http: HTTPClient) async throws -> JSONValue {
        let response = try await execute(request, on: http, timeout: .seconds(30))
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maximumResponseBytes)
        } catch is NIOTooManyBytesError {
            throw ClientError(
                description:
                    "The tracking server's answer to \(request.url) is larger than \(Self.maximumResponseBytes) bytes")
        } catch {
            throw ClientError(
                description:
                    "The connection to the tracking server at \(server) failed: \(TransportFailure.reason(for: error))")
        }
        let json = try? JSONValue(parsing: body.readableBytesView)
        guard response.status == .ok else {
            let code = json?["error_code"]?.stringValue ?? "HTTP \(response.status.code)"
            let message =
                json?["message"]?.stringValue ?? String(decoding: body.readableBytesView.prefix(500), as: UTF8.self)
            throw ClientError(description: "\(code): \(message)")
        }
        return json ?? .object([])
    }

    /// Runs `body` with an HTTP client for this server, shut down when `body` returns or throws.
    ///
    /// The client fails a request at once when no connection can be opened (instead of retrying until the
    /// deadline), so an unreachable server is reported in a moment; `readTimeout` bounds each wait for bytes.
    func withHTTPClient<Result>(
        readTimeout: TimeAmount, _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(10), read: readTimeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        return try await HTTPClient.withHTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, body)
    }

    /// Executes `request`, turning a transport failure (refused connection, unknown host, timeout) into a
    /// message that names the server instead of the transport's error dump.
    func execute(
        _ request: HTTPClientRequest, on http: HTTPClient, timeout: TimeAmount
    ) async throws
        -> HTTPClientResponse
    {
        do {
            return try await http.execute(request, timeout: timeout)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ClientError(
                description:
                    "Cannot reach the tracking server at \(server): \(TransportFailure.reason(for: error)). Check "
                    + "--tracking-uri or MLFLOW_TRACKING_URI")
        }
    }

    /// `scheme://host:port` of the server, for messages.
    var server: String {
        "\(baseURL.scheme ?? "http")://\(baseURL.host ?? "?")\(baseURL.port.map { ":\($0)" } ?? "")"
    }
}
