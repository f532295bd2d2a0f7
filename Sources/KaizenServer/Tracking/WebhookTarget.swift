import AsyncHTTPClient
import Foundation
import KaizenCore
import KaizenRegistry
import NIOCore

/// Where one webhook delivery connects: the URL's host, and the address that was checked for it.
///
/// A host name is resolved once, every address it resolves to is checked against the ``WebhookPolicy``, and the
/// delivery connects to the first of them through AsyncHTTPClient's `dnsOverride`, so a name whose DNS answer
/// changes after the check (DNS rebinding) cannot steer the connection elsewhere. The URL's host stays the HTTP
/// `Host` header, the TLS server name and the name the certificate must match.
struct WebhookTarget: Sendable, Equatable {
    /// The URL's host as the HTTP client reads it.
    var host: String
    /// The checked address to connect to instead of resolving `host` again; `nil` to connect to `host` as
    /// written (an address literal, or any host when the policy allows private addresses).
    var address: String?
    /// Whether redirects are followed: only when the policy accepts any address, since the host a redirect
    /// names would be resolved and connected to without a check.
    var followsRedirects: Bool

    /// Checks `url` against `policy` and, unless private addresses are allowed, resolves its host name with
    /// `resolver` (by default off Swift's cooperative pool) and pins the delivery to the checked address.
    static func resolve(
        _ url: String, policy: WebhookPolicy,
        resolver: @Sendable (String) async -> [String] = { await HostResolver.resolve($0) }
    ) async throws(WebhookRefusal) -> WebhookTarget {
        let checked: String
        do {
            checked = try policy.validate(url)
        } catch {
            throw WebhookRefusal(message: error.message)
        }
        // The client connects to the host Foundation's URL parser reads; a URL on which it and the policy
        // disagree is refused, so the host that was checked is the one connected to.
        guard let host = URL(string: url)?.host.map(Self.withoutBrackets), host.lowercased() == checked.lowercased()
        else {
            throw WebhookRefusal(message: "Webhook URL '\(url)' has a host that cannot be read unambiguously.")
        }
        if policy.allowPrivateAddresses {
            return WebhookTarget(host: host, address: nil, followsRedirects: true)
        }
        if let literal = HostResolver.numericAddress(host) {
            // An address literal needs no lookup; its canonical form (`0:0::1` is `::1`) is what gets checked.
            _ = try pin(host: host, to: [literal], policy: policy)
            return WebhookTarget(host: host, address: nil, followsRedirects: false)
        }
        return try pin(host: host, to: await resolver(host), policy: policy)
    }

    /// The target for `host`, which resolved to `addresses`: pinned to the first address, or refused when the
    /// name resolved to nothing or, unless `policy` allows it, to any non-public address.
    static func pin(host: String, to addresses: [String], policy: WebhookPolicy) throws(WebhookRefusal) -> Self {
        if !policy.allowPrivateAddresses, let address = addresses.first(where: WebhookPolicy.isPrivate(host:)) {
            throw WebhookRefusal(
                message: "Webhook URL must not resolve to a non-public IP address. '\(host)' resolves to \(address).")
        }
        guard let first = addresses.first else {
            throw WebhookRefusal(message: "Cannot resolve Webhook URL hostname '\(host)'.")
        }
        return WebhookTarget(host: host, address: first, followsRedirects: policy.allowPrivateAddresses)
    }

    /// A configuration for a client that delivers to this target only.
    ///
    /// A failed connection fails the attempt at once (the dispatcher has its own retries), and `timeout`
    /// bounds connecting and each wait for bytes.
    func clientConfiguration(timeout: TimeAmount) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: followsRedirects ? .follow(max: 5, allowCycles: false) : .disallow,
            timeout: .init(connect: timeout, read: timeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.dnsOverride = dnsOverride
        return configuration
    }

    /// The client's host-to-address map: the URL's host to the pinned address, empty when nothing is pinned.
    var dnsOverride: [String: String] {
        address.map { [host: $0] } ?? [:]
    }

    static func withoutBrackets(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}

/// Why a webhook URL is not delivered to, in MLflow's words where MLflow has them.
struct WebhookRefusal: Error, Equatable {
    var message: String
}
