import Foundation
import Hummingbird
import KaizenCore
import KaizenServing
import NIOCore
import Synchronization

/// Writes one JSON line per request (time, method, path, status, latency, model, version, rows, error) and feeds
/// the request metrics.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServingContext

    let slot: ModelSlot
    let metrics: ServingMetrics
    /// An endpoint replica's counts for its reports; nil for a server of one model.
    var stats: ReplicaStats? = nil
    let log: AccessLog

    static let endpoints: Set<String> = [
        "/invocations", "/ping", "/health", "/version", "/metrics", "/feedback", "/v2", "/v2/health/live",
        "/v2/health/ready",
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
            if let stats, endpoint == "/invocations" || endpoint == "/v2/models/infer" {
                stats.request(model, status: status, duration: duration)
            }
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
                return ScoringResponses.error(.tooLarge())
            default: throw error
            }
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
