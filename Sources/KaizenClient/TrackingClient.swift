public import Foundation
public import KaizenCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client of the MLflow REST API, for the `kaizen` command line.
public struct TrackingClient: Sendable {
    /// The tracking server's base URL, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL

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
        return try await send(URLRequest(url: url))
    }

    /// POSTs a JSON body to `/api/2.0/mlflow/<path>`.
    public func call(_ path: String, post body: JSONValue) async throws -> JSONValue {
        var request = URLRequest(url: baseURL.appendingPathComponent("api/2.0/mlflow/" + path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.serialized())
        return try await send(request)
    }

    func send(_ request: URLRequest) async throws -> JSONValue {
        var request = request
        request.timeoutInterval = 30
        let (data, response) = try await Self.fetch(request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = try? JSONValue(parsing: Array(data))
        guard status == 200 else {
            let code = json?["error_code"]?.stringValue ?? "HTTP \(status)"
            let message = json?["message"]?.stringValue ?? String(decoding: data.prefix(500), as: UTF8.self)
            throw ClientError(description: "\(code): \(message)")
        }
        return json ?? .object([])
    }
}

extension TrackingClient {
    /// Sends `request`, turning a transport failure (refused connection, unknown host, timeout) into a message
    /// that names the server instead of Foundation's error dump.
    static func fetch(_ request: URLRequest) async throws -> (Data, URLResponse) {
        do {
            return try await URLSession.shared.data(for: request)
        } catch {
            let host = request.url.map { "\($0.scheme ?? "http")://\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")" }
            let reason = (error as? URLError).map { $0.localizedDescription } ?? "\(error)"
            throw ClientError(
                description: "Cannot reach the tracking server at \(host ?? "?"): \(reason). Check --tracking-uri or "
                    + "MLFLOW_TRACKING_URI")
        }
    }
}

/// A failure reported by the tracking server or the network.
public struct ClientError: Error, CustomStringConvertible {
    public var description: String
}
