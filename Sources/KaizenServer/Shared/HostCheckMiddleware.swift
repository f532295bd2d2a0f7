import Hummingbird
import KaizenCore

/// Refuses requests whose `Host` header names a host the server was not told to answer for, which
/// defeats DNS-rebinding attacks from a browser. Loopback names and IP literals are always accepted.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Set<String>
    let allowAny: Bool

    init(bindHost: String, allowedHosts: [String]) {
        var allowed: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]
        allowed.insert(bindHost.lowercased())
        for host in allowedHosts { allowed.insert(host.lowercased()) }
        self.allowed = allowed
        self.allowAny = allowedHosts.contains("*")
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        if allowAny { return try await next(request, context) }
        guard let authority = request.head.authority else {
            return try await next(request, context)
        }
        let host = Self.hostName(authority)
        if allowed.contains(host) || Self.isIPLiteral(host) || allowed.contains(authority.lowercased()) {
            return try await next(request, context)
        }
        return Response(
            status: .forbidden, headers: [.contentType: "text/plain"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(string: "Invalid Host header - possible DNS rebinding attack detected")))
    }

    /// The host part of an authority, lowercased: `Example.com:5000` → `example.com`, `[::1]:80` → `[::1]`.
    static func hostName(_ authority: String) -> String {
        let lower = authority.lowercased()
        if lower.hasPrefix("["), let end = lower.firstIndex(of: "]") { return String(lower[...end]) }
        if let colon = lower.lastIndex(of: ":") { return String(lower[..<colon]) }
        return lower
    }

    static func isIPLiteral(_ host: String) -> Bool {
        if host.hasPrefix("[") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part) != nil }
    }
}
