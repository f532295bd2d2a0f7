import Foundation
import KaizenCore
import KaizenRegistry
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Delivers registry events to webhooks in the background: signs each body with the webhook's secret
/// (MLflow's `X-MLflow-Signature` scheme), retries with backoff on 429, 5xx and connection failures,
/// and logs every delivery. Publishing never blocks the registry call that caused the event; deliveries
/// still pending when the server stops are resumed at the next start.
final class WebhookDispatcher: RegistryEventSink, Service {
    let store: any WebhookStore
    let policy: WebhookPolicy
    let logger: Logger
    let maxAttempts: Int
    let baseBackoff: Duration
    let timeout: TimeInterval
    let events: AsyncStream<RegistryEvent>
    let continuation: AsyncStream<RegistryEvent>.Continuation

    init(
        store: any WebhookStore, policy: WebhookPolicy, logger: Logger, maxAttempts: Int = 4,
        baseBackoff: Duration = .seconds(1), timeout: TimeInterval = 30
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
                if let pending = try? await self.store.pendingDeliveries() {
                    for delivery in pending {
                        group.addTask { await self.deliver(delivery) }
                    }
                }
                for await event in self.events {
                    let subscribers = (try? await self.store.subscribers(of: event.type)) ?? []
                    for webhook in subscribers {
                        group.addTask { await self.deliver(self.makeDelivery(event, to: webhook)) }
                    }
                }
            }
        }
    }

    /// The JSON envelope MLflow sends: entity, action, ISO-8601 timestamp, data.
    static func envelope(_ event: RegistryEvent) -> String {
        JSONValue.object([
            ("entity", .string(event.type.entity.lowercased())), ("action", .string(event.type.action.lowercased())),
            ("timestamp", .string(isoTimestamp(event.timestamp))), ("data", event.data),
        ]).jsonText
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
            body: Self.envelope(event), timestamp: now / 1000, createdAt: now, updatedAt: now)
    }

    /// `v1,` and the base64 HMAC-SHA256 of `<delivery id>.<timestamp>.<body>`.
    static func signature(secret: String, delivery: WebhookDelivery) -> String {
        let message = "\(delivery.id).\(delivery.timestamp).\(delivery.body)"
        return "v1," + Data(SHA256.hmac(key: Array(secret.utf8), message: Array(message.utf8))).base64EncodedString()
    }

    /// One POST; the status code, or nil with an error text when no answer came.
    func post(_ delivery: WebhookDelivery, to webhook: Webhook) async -> (Int?, String?) {
        do {
            let host = try policy.validate(webhook.url)
            // A name that resolves into a private network is refused like an address literal would be.
            if !policy.allowPrivateAddresses {
                let addresses = HostResolver.addresses(of: host)
                if let address = addresses.first(where: WebhookPolicy.isPrivate(host:)) {
                    return (
                        nil,
                        "Webhook URL must not resolve to a non-public IP address. '\(host)' resolves to \(address)."
                    )
                }
                if addresses.isEmpty { return (nil, "Cannot resolve Webhook URL hostname '\(host)'.") }
            }
        } catch {
            return (nil, error.message)
        }
        guard let url = URL(string: webhook.url) else { return (nil, "invalid URL") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(delivery.body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(delivery.id, forHTTPHeaderField: "X-MLflow-Delivery-Id")
        request.setValue(String(delivery.timestamp), forHTTPHeaderField: "X-MLflow-Timestamp")
        request.setValue("kaizen-webhooks", forHTTPHeaderField: "User-Agent")
        if !webhook.secret.isEmpty {
            request.setValue(
                Self.signature(secret: webhook.secret, delivery: delivery), forHTTPHeaderField: "X-MLflow-Signature")
        }
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode, nil)
        } catch {
            return (nil, String(describing: error))
        }
    }

    /// Sends a delivery until it succeeds, fails for good, or runs out of attempts; logs each attempt.
    func deliver(_ delivery: WebhookDelivery) async {
        var delivery = delivery
        guard let webhook = try? await store.webhook(id: delivery.webhookID) else {
            delivery.status = .failed
            delivery.error = "webhook deleted"
            try? await store.recordDelivery(delivery)
            return
        }
        try? await store.recordDelivery(delivery)
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
            try? await store.recordDelivery(delivery)
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
