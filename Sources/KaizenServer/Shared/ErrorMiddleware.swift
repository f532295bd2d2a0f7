import Hummingbird
import KaizenCore
import Logging

/// Renders every failure as MLflow's error JSON: `KaizenError` with its code and status, framework
/// errors (unknown route, body too large) with the nearest MLflow code, anything else as a bare 500
/// that is logged with detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as KaizenError {
            return Self.response(for: error)
        } catch let error as any HTTPResponseError {
            switch error.status {
            case .notFound:
                return Self.response(
                    for: KaizenError(.endpointNotFound, "No endpoint \(request.method) \(request.uri.path)"))
            case .contentTooLarge:
                return Self.response(for: KaizenError(.requestTooLarge, "Request body is too large"))
            case .methodNotAllowed:
                return Self.response(for: KaizenError(.methodNotAllowed, "Method \(request.method) not allowed"))
            default:
                if error.status.code < 500 {
                    return Self.response(
                        for: KaizenError(.badRequest, (error as? HTTPError)?.body ?? error.status.reasonPhrase))
                }
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                return Response(status: .internalServerError)
            }
        } catch {
            context.logger.error(
                "unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return Response(status: .internalServerError)
        }
    }

    static func response(for error: KaizenError) -> Response {
        let body: JSONValue = .object([
            ("error_code", .string(error.code.name)),
            ("message", .string(error.message)),
        ])
        return JSONResponse.make(body, status: HTTPResponse.Status(code: error.code.httpStatus))
    }
}

extension KaizenError.Code {
    /// A body over the server's limit: MLflow's parameter error, with 413 so clients do not retry it.
    static let requestTooLarge = KaizenError.Code.custom("INVALID_PARAMETER_VALUE", 413)
    static let methodNotAllowed = KaizenError.Code.custom("ENDPOINT_NOT_FOUND", 405)
}
