import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaizenCore
import KaizenRegistry
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import KaizenServer

/// Webhook delivery: the address-pinning decision without a network, and real deliveries to a listener on
/// 127.0.0.1.
struct WebhookDeliveryTests {
    static let strict = WebhookPolicy()
    static let local = WebhookPolicy(allowedSchemes: ["http", "https"], allowPrivateAddresses: true)

    @Test func pinningChecksEveryResolvedAddress() throws {
        let host = "hooks.example.com"
        let pinned = try WebhookTarget.pin(
            host: host, to: ["93.184.216.34", "2606:2800:220:1::1"], policy: Self.strict)
        #expect(pinned == WebhookTarget(host: host, address: "93.184.216.34", followsRedirects: false))
        #expect(pinned.dnsOverride == [host: "93.184.216.34"])

        #expect(
            throws: WebhookRefusal(
                message: "Webhook URL must not resolve to a non-public IP address. "
                    + "'\(host)' resolves to 169.254.169.254.")
        ) {
            try WebhookTarget.pin(host: host, to: ["93.184.216.34", "169.254.169.254"], policy: Self.strict)
        }
        #expect(throws: WebhookRefusal(message: "Cannot resolve Webhook URL hostname '\(host)'.")) {
            try WebhookTarget.pin(host: host, to: [], policy: Self.strict)
        }
        let lenient = try WebhookTarget.pin(host: host, to: ["10.0.0.7"], policy: Self.local)
        #expect(lenient == WebhookTarget(host: host, address: "10.0.0.7", followsRedirects: true))
    }

    @Test func resolvingLooksUpOnceAndPinsTheCheckedAddress() async throws {
        let lookups = NIOLockedValueBox<[String]>([])
        let rebinding: @Sendable (String) async -> [String] = { host in
            lookups.withLockedValue { $0.append(host) }
            return lookups.withLockedValue { $0.count } == 1 ? ["93.184.216.34"] : ["127.0.0.1"]
        }
        let target = try await WebhookTarget.resolve(
            "https://hooks.example.com/in", policy: Self.strict, resolver: rebinding)
        #expect(target == WebhookTarget(host: "hooks.example.com", address: "93.184.216.34", followsRedirects: false))
        #expect(lookups.withLockedValue { $0 } == ["hooks.example.com"])

        // The same name answering a private address on the next attempt is refused.
        await #expect(throws: WebhookRefusal.self) {
            try await WebhookTarget.resolve("https://hooks.example.com/in", policy: Self.strict, resolver: rebinding)
        }
    }

    @Test func addressLiteralsAreCheckedWithoutALookup() async throws {
        let noLookup: @Sendable (String) async -> [String] = { host in
            Issue.record("looked up \(host)")
            return []
        }
        let literal = try await WebhookTarget.resolve(
            "https://93.184.216.34/in", policy: Self.strict, resolver: noLookup)
        #expect(literal == WebhookTarget(host: "93.184.216.34", address: nil, followsRedirects: false))
        // A loopback address in a spelling the policy's text check does not know is still refused.
        await #expect(throws: WebhookRefusal.self) {
            try await WebhookTarget.resolve("https://[0:0:0:0:0:0:0:1]/in", policy: Self.strict, resolver: noLookup)
        }
        let local = try await WebhookTarget.resolve("http://localhost:9/in", policy: Self.local, resolver: noLookup)
        #expect(local == WebhookTarget(host: "localhost", address: nil, followsRedirects: true))
    }

    @Test func deliveryReachesALocalListener() async throws {
        let inbox = Inbox()
        let dispatcher = WebhookDispatcher(store: UnavailableStore(), policy: Self.local, logger: Logger(label: "test"))
        try await inbox.application.test(.live) { client in
            let port = try #require(client.port)
            let delivery = Self.delivery()
            let webhook = Webhook(
                id: "w1", name: "hook", description: "", url: "http://127.0.0.1:\(port)/hook",
                events: [.modelVersionCreated], secret: "s3cret", status: .active, creationTimestamp: 0,
                lastUpdatedTimestamp: 0)
            let (status, error) = await dispatcher.post(delivery, to: webhook)
            #expect(status == 200)
            #expect(error == nil)

            // Pinned: the name is never resolved (.example has no DNS answer); the connection goes to the pinned
            // address, and the name is still the Host header.
            let pinned = WebhookTarget(host: "hooks.example", address: "127.0.0.1", followsRedirects: false)
            let (pinnedStatus, _) = await dispatcher.send(
                delivery, secret: "", to: "http://hooks.example:\(port)/hook", via: pinned)
            #expect(pinnedStatus == 200)

            let received = inbox.requests.withLockedValue { $0 }
            #expect(received.count == 2)
            #expect(received.first?.body == delivery.body)
            #expect(received.first?.signature == WebhookDispatcher.signature(secret: "s3cret", delivery: delivery))
            #expect(received.first?.deliveryID == delivery.id)
            #expect(received.last?.authority == "hooks.example:\(port)")
            #expect(received.last?.signature == nil)
        }
    }

    @Test func gitHubDispatchTargetsGetGitHubsShapeAndTheSecretAsToken() async throws {
        #expect(GitHubDispatch.isTarget("https://api.github.com/repos/acme/models/dispatches"))
        #expect(GitHubDispatch.isTarget("https://ghe.example.com/api/v3/repos/acme/models/dispatches"))
        #expect(!GitHubDispatch.isTarget("https://api.github.com/repos/acme/dispatches"))
        #expect(!GitHubDispatch.isTarget("https://hooks.example.com/in"))
        let inbox = Inbox()
        let dispatcher = WebhookDispatcher(store: UnavailableStore(), policy: Self.local, logger: Logger(label: "test"))
        try await inbox.application.test(.live) { client in
            let port = try #require(client.port)
            let webhook = Webhook(
                id: "w1", name: "deploy", description: "", url: "http://127.0.0.1:\(port)/repos/acme/models/dispatches",
                events: [.aliasCreated], secret: "ghp_token", status: .active, creationTimestamp: 0,
                lastUpdatedTimestamp: 0)
            let event = RegistryEvent(
                type: .aliasCreated,
                data: .object([("name", "fraud"), ("alias", "champion"), ("version", "3")]), timestamp: 0)
            let delivery = dispatcher.makeDelivery(event, to: webhook)
            let (status, error) = await dispatcher.post(delivery, to: webhook)
            #expect(status == 204)
            #expect(error == nil)
            let received = try #require(inbox.requests.withLockedValue { $0 }.first)
            #expect(received.authorization == "Bearer ghp_token")
            #expect(received.signature == nil)
            let body = try JSONValue(parsing: received.body)
            #expect(body["event_type"] == "kaizen.model_version_alias.created")
            #expect(body["client_payload"]?["entity"] == "model_version_alias")
            #expect(body["client_payload"]?["data"]?["alias"] == "champion")
            #expect(body["client_payload"]?["data"]?["version"] == "3")
        }
    }

    @Test func aRefusedConnectionFailsAtOnce() async {
        let dispatcher = WebhookDispatcher(
            store: UnavailableStore(), policy: Self.local, logger: Logger(label: "test"), timeout: .seconds(20))
        let direct = WebhookTarget(host: "127.0.0.1", address: nil, followsRedirects: true)
        let (status, error) = await dispatcher.send(Self.delivery(), secret: "", to: "http://127.0.0.1:1/", via: direct)
        #expect(status == nil)
        // Refused, not timed out: the attempt ended on the refusal rather than waiting out the 20 s timeout (no
        // clock is read; shared machines make elapsed-time checks flaky).
        #expect(error == "connection refused")
    }

    @Test func aSilentReceiverTimesOut() async throws {
        let inbox = Inbox()
        let dispatcher = WebhookDispatcher(
            store: UnavailableStore(), policy: Self.local, logger: Logger(label: "test"), timeout: .milliseconds(300))
        try await inbox.application.test(.live) { client in
            let port = try #require(client.port)
            let direct = WebhookTarget(host: "127.0.0.1", address: nil, followsRedirects: true)
            let (status, error) = await dispatcher.send(
                Self.delivery(), secret: "", to: "http://127.0.0.1:\(port)/silent", via: direct)
            #expect(status == nil)
            #expect(error == "timed out")
        }
    }

    @Test func storeFailuresAreLogged() async {
        let records = NIOLockedValueBox<[(Logger.Level, String)]>([])
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let dispatcher = WebhookDispatcher(store: UnavailableStore(), policy: Self.strict, logger: logger)
        #expect(await dispatcher.pendingDeliveries().isEmpty)
        await dispatcher.deliver(Self.delivery())
        let logged = records.withLockedValue { $0 }.map { "\($0.0): \($0.1)" }
        #expect(
            logged == [
                "error: cannot load pending webhook deliveries; they stay pending until the next start",
                "error: cannot load the webhook of a delivery; the delivery is marked failed",
                "warning: cannot record webhook delivery",
            ])
    }

    @Test func anEventGoesOnlyToWebhooksThatExistedWhenItHappened() async {
        let dispatcher = WebhookDispatcher(
            store: SubscribedStore(), policy: Self.strict, logger: Logger(label: "test"))
        let event = RegistryEvent(type: .modelVersionCreated, data: .object([]), timestamp: 2_000)
        #expect(await dispatcher.subscribers(of: event).map(\.id) == ["older", "same-millisecond"])
    }

    static func delivery() -> WebhookDelivery {
        WebhookDelivery(
            id: "d-1", webhookID: "w1", event: "model_version.created", body: #"{"entity":"model_version"}"#,
            timestamp: 1_700_000_000, createdAt: 0, updatedAt: 0)
    }
}

/// A listener that records every POST to `/hook`, and answers a POST to `/silent` only after two seconds.
final class Inbox: Sendable {
    struct Received: Sendable {
        var authority: String?
        var deliveryID: String?
        var signature: String?
        var authorization: String? = nil
        var body: String
    }

    let requests = NIOLockedValueBox<[Received]>([])

    var application: some ApplicationProtocol {
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 16)
            let received = Received(
                authority: request.head.authority, deliveryID: request.headers[HTTPField.Name("X-MLflow-Delivery-Id")!],
                signature: request.headers[HTTPField.Name("X-MLflow-Signature")!], body: String(buffer: body))
            self.requests.withLockedValue { $0.append(received) }
            return .ok
        }
        router.post("repos/:owner/:repo/dispatches") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 16)
            let received = Received(
                authority: request.head.authority, deliveryID: nil,
                signature: request.headers[HTTPField.Name("X-MLflow-Signature")!],
                authorization: request.headers[.authorization], body: String(buffer: body))
            self.requests.withLockedValue { $0.append(received) }
            return .noContent
        }
        router.post("silent") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .seconds(2))
            return .ok
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// A webhook store whose every call fails, as a locked or missing database would.
struct UnavailableStore: WebhookStore {
    struct Failure: Error {}

    func createWebhook(_ webhook: Webhook) async throws { throw Failure() }
    func webhook(id: String) async throws -> Webhook? { throw Failure() }
    func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook] { throw Failure() }
    func updateWebhook(_ webhook: Webhook) async throws { throw Failure() }
    func deleteWebhook(id: String, now: Int64) async throws { throw Failure() }
    func subscribers(of type: WebhookEventType) async throws -> [Webhook] { throw Failure() }
    func recordDelivery(_ delivery: WebhookDelivery) async throws { throw Failure() }
    func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery] { throw Failure() }
    func pendingDeliveries() async throws -> [WebhookDelivery] { throw Failure() }
    func claimPendingDeliveries(owner: String, now: Int64, lease: Int64) async throws -> [WebhookDelivery] {
        throw Failure()
    }
}

/// A webhook store with three subscribers to every event, created before, at and after the 2,000th millisecond.
struct SubscribedStore: WebhookStore {
    func createWebhook(_ webhook: Webhook) async throws {}
    func webhook(id: String) async throws -> Webhook? { nil }
    func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook] { [] }
    func updateWebhook(_ webhook: Webhook) async throws {}
    func deleteWebhook(id: String, now: Int64) async throws {}
    func subscribers(of type: WebhookEventType) async throws -> [Webhook] {
        [("older", 1_999), ("same-millisecond", 2_000), ("newer", 2_001)].map { id, created in
            Webhook(
                id: id, name: id, description: "", url: "http://127.0.0.1:9/hook", events: [type], secret: "",
                status: .active, creationTimestamp: created, lastUpdatedTimestamp: created)
        }
    }
    func recordDelivery(_ delivery: WebhookDelivery) async throws {}
    func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery] { [] }
    func pendingDeliveries() async throws -> [WebhookDelivery] { [] }
    func claimPendingDeliveries(owner: String, now: Int64, lease: Int64) async throws -> [WebhookDelivery] { [] }
}

/// Keeps the level and message of every log line.
struct RecordingLogHandler: LogHandler {
    let records: NIOLockedValueBox<[(Logger.Level, String)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLockedValue { $0.append((event.level, "\(event.message)")) }
    }
}
