import Testing

@testable import KaizenServer

/// Host names resolve to address strings, and a name that does not resolve gives none.
struct HostResolverTests {
    @Test func resolvesLocalhostToLoopback() {
        let addresses = HostResolver.addresses(of: "localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0 == "127.0.0.1" || $0 == "::1" })
        #expect(HostResolver.addresses(of: "no-such-host.invalid").isEmpty)
    }
}
