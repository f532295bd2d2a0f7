import AsyncHTTPClient
import Foundation
import KaizenClient
import KaizenCore
import KaizenRegistry
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers registry events to webhooks in the background: signs each body with the webhook's secret
/// (MLflow's `X-MLflow-Signature` scheme), retries with backoff on 429, 5xx and connection failures,
/// and logs every delivery. Each attempt connects only to an address checked against the policy (see
/// ``WebhookTarget``). Publishing never blocks the registry call that caused the event; deliveries
/// still pending when the server stops are resumed at the next start.
final class WebhookDispatcher: RegistryEventSink, Service {
    let store: any WebhookStore
    let policy: WebhookPolicy
    let logger: Logger
    let maxAttempts: Int
    let baseBackoff: Duration
    let timeout: Duration
    let events: AsyncStream<RegistryEvent>
    let continuation: AsyncStream<RegistryEvent>.Continuation

    init(
        store: any WebhookStore, policy: WebhookPolicy, logger: Logger, maxAttempts: Int = 4,
        baseBackoff: Duration = .seconds(1), timeout: Duration = .seconds(30)
    ) {
        self.store = store
        self.policy = policy
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.baseBackoff = baseBackoff
        self.timeout = timeout
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
    }

    func publish(_ event: RegistryEvent) {
        continuation.yield(event)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // Deliveries left unfinished (by this replica's last run, or by a replica that died while sending)
                // are claimed at start and then every `sweepInterval`; each is claimed by one replica.
                group.addTask {
                    while !Task.isCancelled {
                        let resumed = await self.pendingDeliveries()
                        await withDiscardingTaskGroup { batch in
                            for delivery in resumed { batch.addTask { await self.deliver(delivery) } }
                        }
                        do { try await Task.sleep(for: self.sweepInterval) } catch { return }
                    }
                }
                for await event in self.events {
                    for webhook in await self.subscribers(of: event) {
                        group.addTask { await self.deliver(self.makeDelivery(event, to: webhook)) }
                    }
                }
            }
        }
    }

    /// How often unfinished deliveries whose claim ran out are looked for.
    let sweepInterval: Duration = .seconds(60)

    /// Names this dispatcher's claims on unfinished deliveries; other replicas leave claimed ones alone.
    let owner = UUID().uuidString.lowercased()

    /// How long a claim on an unfinished delivery holds: longer than all of a delivery's attempts and backoffs.
    var claimLease: Int64 {
        let attempt = timeout + baseBackoff * (1 << max(0, maxAttempts - 1))
        return max(600_000, Int64(maxAttempts) * attempt.components.seconds * 1000)
    }

    /// The deliveries a previous run left unfinished and no other replica holds, claimed for this one; none (and an
    /// error in the log) when the store fails.
    func pendingDeliveries() async -> [WebhookDelivery] {
        do {
            return try await store.claimPendingDeliveries(owner: owner, now: currentTimeMillis(), lease: claimLease)
        } catch {
            logger.error(
                "cannot load pending webhook deliveries; they stay pending until the next start",
                metadata: ["error": "\(error)"])
            return []
        }
    }

    /// The webhooks `event` goes to: those subscribed to its type that existed when it happened (events queue up
    /// behind a burst, and a webhook created meanwhile must not receive the backlog); none (and an error in the log,
    /// as the event is lost) when the store fails.
    func subscribers(of event: RegistryEvent) async -> [Webhook] {
        do {
            return try await store.subscribers(of: event.type).filter { $0.creationTimestamp <= event.timestamp }
        } catch {
            logger.error(
                "cannot load webhook subscribers; the event is not delivered",
                metadata: [
                    "event": "\(event.type)", "model": "\(event.data["name"]?.stringValue ?? "")", "error": "\(error)",
                ])
            return []
        }
    }

    /// Saves the state of `delivery` for the delivery log and for resuming; a failure is logged.
    func record(_ delivery: WebhookDelivery) async {
        do {
            try await store.recordDelivery(delivery)
        } catch {
            logger.warning(
                "cannot record webhook delivery",
                metadata: [
                    "delivery": "\(delivery.id)", "webhook": "\(delivery.webhookID)", "event": "\(delivery.event)",
                    "status": "\(delivery.status.rawValue)", "attempts": "\(delivery.attempts)", "error": "\(error)",
                ])
        }
    }

    /// The JSON envelope MLflow sends: entity, action, ISO-8601 timestamp, data.
    static func envelope(_ event: RegistryEvent) -> JSONValue {
        .object([
            ("entity", .string(event.type.entity.lowercased())), ("action", .string(event.type.action.lowercased())),
            ("timestamp", .string(isoTimestamp(event.timestamp))), ("data", event.data),
        ])
    }

    static func isoTimestamp(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'000+00:00'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    func makeDelivery(_ event: RegistryEvent, to webhook: Webhook) -> WebhookDelivery {
        let now = currentTimeMillis()
        return WebhookDelivery(
            id: UUID().uuidString.lowercased(), webhookID: webhook.id, event: event.type.description,
            body: GitHubDispatch.isTarget(webhook.url)
                ? GitHubDispatch.body(for: event, envelope: Self.envelope(event)) : Self.envelope(event).jsonText,
            timestamp: now / 1000, createdAt: now, updatedAt: now)
    }

    /// `v1,` and the base64 HMAC-SHA256 of `<delivery id>.<timestamp>.<body>`.
    static func signature(secret: String, delivery: WebhookDelivery) -> String {
        let message = "\(delivery.id).\(delivery.timestamp).\(delivery.body)"
        return "v1," + Data(SHA256.hmac(key: Array(secret.utf8), message: Array(message.utf8))).base64EncodedString()
    }

    /// One POST; the status code, or nil with an error text when no answer came.
    func post(_ delivery: WebhookDelivery, to webhook: Webhook) async -> (Int?, String?) {
        let target: WebhookTarget
        do {
            target = try await WebhookTarget.resolve(webhook.url, policy: policy)
        } catch {
            return (nil, error.message)
        }
        return await send(delivery, secret: webhook.secret, to: webhook.url, via: target)
    }

    /// POSTs `delivery` to `url` on a client of its own that connects to `target` only, shut down after.
    func send(
        _ delivery: WebhookDelivery, secret: String, to url: String, via target: WebhookTarget
    ) async -> (Int?, String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-MLflow-Delivery-Id", value: delivery.id)
        request.headers.add(name: "X-MLflow-Timestamp", value: String(delivery.timestamp))
        request.headers.add(name: "User-Agent", value: "kaizen-webhooks")
        if GitHubDispatch.isTarget(url) {
            // The secret is the repository token here, not a signing key.
            if !secret.isEmpty {
                for (name, value) in GitHubDispatch.headers(token: secret) {
                    request.headers.add(name: name, value: value)
                }
            }
        } else if !secret.isEmpty {
            request.headers.add(name: "X-MLflow-Signature", value: Self.signature(secret: secret, delivery: delivery))
        }
        request.body = .bytes(ByteBuffer(string: delivery.body))
        let timeout = TimeAmount(timeout)
        do {
            return try await HTTPClient.withHTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: target.clientConfiguration(timeout: timeout)
            ) { client in
                // Only the status counts. The answer's body is not read (a receiver cannot hold the delivery by
                // trickling it); shutting the client down closes the connection.
                let response = try await client.execute(request, timeout: timeout)
                return (Int(response.status.code), nil)
            }
        } catch {
            return (nil, TransportFailure.reason(for: error))
        }
    }

    /// Sends a delivery until it succeeds, fails for good, or runs out of attempts; logs each attempt.
    func deliver(_ delivery: WebhookDelivery) async {
        var delivery = delivery
        let found: Webhook?
        do {
            found = try await store.webhook(id: delivery.webhookID)
        } catch {
            logger.error(
                "cannot load the webhook of a delivery; the delivery is marked failed",
                metadata: ["delivery": "\(delivery.id)", "webhook": "\(delivery.webhookID)", "error": "\(error)"])
            delivery.status = .failed
            delivery.error = "cannot load the webhook: \(error)"
            await record(delivery)
            return
        }
        guard let webhook = found else {
            delivery.status = .failed
            delivery.error = "webhook deleted"
            await record(delivery)
            return
        }
        await record(delivery)
        while delivery.attempts < maxAttempts {
            if delivery.attempts > 0 {
                let wait = baseBackoff * (1 << (delivery.attempts - 1))
                try? await Task.sleep(for: wait)
                if Task.isCancelled { return }
            }
            let (status, error) = await post(delivery, to: webhook)
            delivery.attempts += 1
            delivery.responseStatus = status
            delivery.error = error
            delivery.updatedAt = currentTimeMillis()
            let retryable = status == nil || status == 429 || (status ?? 0) >= 500
            if let status, (200..<300).contains(status) {
                delivery.status = .succeeded
            } else if !retryable || delivery.attempts >= maxAttempts {
                delivery.status = .failed
            }
            await record(delivery)
            if delivery.status != .pending { break }
        }
        if delivery.status == .failed {
            logger.warning(
                "webhook delivery failed",
                metadata: [
                    "webhook": "\(webhook.id)", "event": "\(delivery.event)",
                    "status": "\(delivery.responseStatus ?? 0)",
                ])
        }
    }

    /// Sends an example event once, for `POST /webhooks/{id}/test`.
    func test(_ webhook: Webhook, type: WebhookEventType) async -> JSONValue {
        let event = RegistryEvent(type: type, data: Self.example(for: type), timestamp: currentTimeMillis())
        let delivery = makeDelivery(event, to: webhook)
        let (status, error) = await post(delivery, to: webhook)
        if let status {
            return .object([("success", .bool(status < 400)), ("response_status", .integer(Int64(status)))])
        }
        return .object([
            ("success", false), ("error_message", .string("Failed to test webhook: \(error ?? "no response")")),
        ])
    }

    static func example(for type: WebhookEventType) -> JSONValue {
        .object([
            ("name", "example_model"), ("version", "1"), ("source", "models:/123"), ("run_id", "abcd1234abcd5678"),
            ("tags", .object([("example_key", "example_value")])), ("description", "An example model version"),
        ])
    }
}
