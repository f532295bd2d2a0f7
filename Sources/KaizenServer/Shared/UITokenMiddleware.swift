import Foundation
import HTTPTypes
import Hummingbird
import KaizenCore

/// Refuses writes that a browser sends without the web UI's same-origin token, so a page on another site cannot
/// act on the server through a visitor's browser (cross-site request forgery).
///
/// A browser marks its requests with `Origin` or `Sec-Fetch-Site`; the `mlflow` client, `curl` and other programs
/// send neither and are not affected. A write from a browser must come from the server's own origin and carry
/// `X-Kaizen-UI-Token`, a header a page on another origin cannot set without a CORS grant, which Kaizen never gives.
struct UITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-Kaizen-UI-Token")! }

    let token: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        switch request.method {
        case .get, .head, .options: return try await next(request, context)
        default: break
        }
        let origin = request.headers[.origin]
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]
        guard origin != nil || site != nil else { return try await next(request, context) }
        if let site, site != "same-origin", site != "none" {
            return Self.refusal("Cross-site write refused: it came from another site (Sec-Fetch-Site: \(site)).")
        }
        if let origin, let authority = request.head.authority, !Self.origin(origin, matches: authority) {
            return Self.refusal("Cross-origin write refused: Origin \(origin) is not this server.")
        }
        guard let sent = request.headers[Self.headerName], Self.constantTimeEqual(sent, token) else {
            return Self.refusal("Write refused: a request from a browser must carry the web UI's token.")
        }
        return try await next(request, context)
    }

    static func refusal(_ message: String) -> Response {
        ErrorMiddleware<Context>.response(for: KaizenError(.permissionDenied, message))
    }

    /// Whether `origin` (`http://host:port`) names the authority the request was sent to.
    static func origin(_ origin: String, matches authority: String) -> Bool {
        guard let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == authority.lowercased()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
