import Foundation
public import Hummingbird
import KaizenCore
import KaizenServing
import Logging
import NIOCore
import Synchronization

/// The request context of the scoring server: Hummingbird's core plus notes that a handler leaves for the access
/// log (which model answered, how many rows).
public struct ServingContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let notes = RequestNotes()

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}

/// What a handler learned about its request; written by the handler, read by the access log after it returns.
final class RequestNotes: Sendable {
    struct Fields {
        var model: ScoringModel?
        var rows = 0
        var error: String?
    }

    let fields = Mutex(Fields())

    func record(model: ScoringModel, rows: Int) {
        fields.withLock {
            $0.model = model
            $0.rows = rows
        }
    }

    func record(error: String) {
        fields.withLock { $0.error = error }
    }
}

/// Writes one JSON line per request (time, method, path, status, latency, model, version, rows, error) and feeds
/// the request metrics.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServingContext

    let slot: ModelSlot
    let metrics: ServingMetrics
    let log: AccessLog

    static let endpoints: Set<String> = [
        "/invocations", "/ping", "/health", "/version", "/metrics", "/v2", "/v2/health/live", "/v2/health/ready",
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let duration = ContinuousClock.now - start
            let notes = context.notes.fields.withLock { $0 }
            let model = notes.model ?? slot.model
            let path = request.uri.path
            let endpoint =
                Self.endpoints.contains(path)
                ? path
                : path.hasPrefix("/v2/models/")
                    ? (path.hasSuffix("/infer") ? "/v2/models/infer" : "/v2/models") : "other"
            metrics.request(model: model, endpoint: endpoint, status: status, duration: duration)
            if notes.rows > 0 { metrics.rows(notes.rows, model: model) }
            log.write(
                method: request.method.rawValue, path: path, status: status, duration: duration, model: model,
                rows: notes.rows, error: notes.error)
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as HTTPError {
            status = error.status.code
            switch error.status {
            case .notFound: return ScoringResponses.detail("Not Found", status: .notFound)
            case .methodNotAllowed: return ScoringResponses.detail("Method Not Allowed", status: .methodNotAllowed)
            case .contentTooLarge:
                status = 413
                return ScoringResponses.error(
                    ScoringError(
                        status: 413, code: "INVALID_PARAMETER_VALUE", message: "Request body is too large"))
            default: throw error
            }
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}

/// The access log's writer: one line per request on standard output, or nothing when turned off.
public struct AccessLog: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    func write(
        method: String, path: String, status: Int, duration: Duration, model: ScoringModel, rows: Int,
        error: String?
    ) {
        guard enabled else { return }
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        var line: [UInt8] = []
        line.reserveCapacity(256)
        var fields: [(String, JSONValue)] = [
            ("ts", .string(Date().formatted(.iso8601))), ("method", .string(method)), ("path", .string(path)),
            ("status", .integer(Int64(status))), ("ms", .double((milliseconds * 1000).rounded() / 1000)),
            ("model", .string(model.name)), ("version", .string(model.version ?? "")),
            ("rows", .integer(Int64(rows))),
        ]
        if let error { fields.append(("error", .string(String(error.prefix(300))))) }
        JSONValue.object(fields).write(to: &line)
        line.append(0x0A)
        line.withUnsafeBytes { bytes in
            _ = Foundation.write(STDOUT_FILENO, bytes.baseAddress, bytes.count)
        }
    }
}
