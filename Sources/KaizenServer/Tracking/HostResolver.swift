import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves host names to address strings, so webhook targets can be checked against private ranges
/// before Kaizen connects to them.
enum HostResolver {
    /// The IPv4 and IPv6 addresses of `host`, as text, resolved on NIO's blocking-I/O thread pool so a slow
    /// lookup never holds a thread of Swift's cooperative pool; empty when it does not resolve.
    static func resolve(_ host: String) async -> [String] {
        (try? await NIOThreadPool.singleton.runIfActive { addresses(of: host) }) ?? []
    }

    /// The IPv4 and IPv6 addresses of `host`, as text; empty when it does not resolve. Blocks while it looks
    /// the name up: call ``resolve(_:)`` from async code.
    static func addresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if info.pointee.ai_family == AF_INET, let address = info.pointee.ai_addr {
                let inAddress = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                addresses.append(text(of: inAddress, family: AF_INET))
            } else if info.pointee.ai_family == AF_INET6, let address = info.pointee.ai_addr {
                let inAddress = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                addresses.append(text(of: inAddress, family: AF_INET6))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// The canonical text of an IPv4 or IPv6 address literal (`0:0::1` is `::1`), or `nil` for a host name.
    /// Never looks anything up.
    static func numericAddress(_ host: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return text(of: v4, family: AF_INET) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return text(of: v6, family: AF_INET6) }
        return nil
    }

    /// `inet_ntop` of an `in_addr` or `in6_addr`, lower-cased.
    static func text(of address: some Any, family: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = withUnsafeBytes(of: address) { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }
}
