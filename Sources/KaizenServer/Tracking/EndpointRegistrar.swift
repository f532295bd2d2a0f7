import Hummingbird
import KaizenCore

/// Registers MLflow REST endpoints: each under `/api/<v>/mlflow/...` and `/ajax-api/<v>/mlflow/...`,
/// decoding the request into a `RequestMessage` and encoding the handler's JSON result.
struct EndpointRegistrar<Context: RequestContext> {
    let router: Router<Context>
    let bodyLimit: Int

    typealias Handler = @Sendable (RequestMessage) async throws -> JSONValue

    /// Registers `path` (relative to `mlflow/`) for the given methods.
    func register(
        _ path: String, version: Int = 2, namespace: String = "mlflow", methods: [HTTPRequest.Method],
        handler: @escaping Handler
    ) {
        register(path, version: version, namespace: namespace, methods: methods) { message, _ in
            try await handler(message)
        }
    }

    /// Registers `path` with a handler that writes its answer straight into bytes, for the large ones (runs, metric
    /// histories), which would otherwise be built whole as a `JSONValue` first.
    func register(
        _ path: String, methods: [HTTPRequest.Method],
        writing handler: @escaping @Sendable (RequestMessage) async throws -> JSONWriter
    ) {
        route(path, version: 2, namespace: "mlflow", methods: methods) { message, _ in
            JSONResponse.make(bytes: try await handler(message).bytes)
        }
    }

    /// Registers a route with path parameters (`:model_id`); the handler also receives their values.
    func register(
        _ path: String, version: Int = 2, namespace: String = "mlflow", methods: [HTTPRequest.Method],
        handler: @escaping @Sendable (RequestMessage, Parameters) async throws -> JSONValue
    ) {
        route(path, version: version, namespace: namespace, methods: methods) { message, parameters in
            JSONResponse.make(try await handler(message, parameters))
        }
    }

    /// `path` under both prefixes for each method: the request decoded into a `RequestMessage`, then `respond`.
    private func route(
        _ path: String, version: Int, namespace: String, methods: [HTTPRequest.Method],
        respond: @escaping @Sendable (RequestMessage, Parameters) async throws -> Response
    ) {
        let limit = bodyLimit
        for prefix in ["/api", "/ajax-api"] {
            let full = RouterPath("\(prefix)/\(version).0/\(namespace)/\(path)")
            for method in methods {
                router.on(full, method: method) { request, context in
                    let message = try await RequestMessage.decode(request, context: context, limit: limit)
                    return try await respond(message, context.parameters)
                }
            }
        }
    }
}
