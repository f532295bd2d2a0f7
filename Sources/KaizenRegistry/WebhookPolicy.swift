public import KaizenCore

/// Which webhook URLs are acceptable: by default only `https` to public addresses, as in MLflow, so a
/// registry user cannot make the server call into its own network.
public struct WebhookPolicy: Sendable {
    public var allowedSchemes: Set<String>
    public var allowPrivateAddresses: Bool

    public init(allowedSchemes: Set<String> = ["https"], allowPrivateAddresses: Bool = false) {
        self.allowedSchemes = allowedSchemes
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// The host of an acceptable URL; throws MLflow's messages otherwise.
    @discardableResult
    public func validate(_ url: String) throws(KaizenError) -> String {
        guard !url.isEmpty else { throw .missingParameter("url") }
        let scheme = URIParts.scheme(of: url)
        guard let scheme, allowedSchemes.contains(scheme) else {
            throw .invalidParameter(
                "Invalid webhook URL scheme: '\(scheme ?? "")'. Allowed schemes are: \(allowedSchemes.sorted().joined(separator: ", "))."
            )
        }
        var rest = url.dropFirst(scheme.count + 1)
        guard rest.hasPrefix("//") else { throw .invalidParameter("Webhook URL must include a hostname: '\(url)'") }
        rest = rest.dropFirst(2)
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = String(authority)
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<end])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { throw .invalidParameter("Webhook URL must include a hostname: '\(url)'") }
        if !allowPrivateAddresses, Self.isPrivate(host: host.lowercased()) {
            throw .invalidParameter(
                "Webhook URL must not resolve to a non-public IP address. '\(host)' resolves to \(host).")
        }
        return host
    }

    /// Whether a host name or address literal is loopback, private, link-local or unspecified.
    public static func isPrivate(host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "::" { return true }
        if host.contains(":") {
            // IPv6: unique-local fc00::/7, link-local fe80::/10, and IPv4-mapped private addresses.
            if host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe8") || host.hasPrefix("fe9")
                || host.hasPrefix("fea") || host.hasPrefix("feb")
            {
                return true
            }
            if host.hasPrefix("::ffff:") { return isPrivate(host: String(host.dropFirst("::ffff:".count))) }
            return false
        }
        let parts = host.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4, host.split(separator: ".").count == 4 else { return false }
        switch (parts[0], parts[1]) {
        case (10, _), (127, _), (0, _), (169, 254), (192, 168): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        default: return false
        }
    }
}
