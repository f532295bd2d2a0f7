/// Persistence of webhook subscriptions and their delivery log.
public protocol WebhookStore: Sendable {
    func createWebhook(_ webhook: Webhook) async throws
    func webhook(id: String) async throws -> Webhook?
    func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook]
    func updateWebhook(_ webhook: Webhook) async throws
    func deleteWebhook(id: String, now: Int64) async throws
    /// Active webhooks subscribed to `type`.
    func subscribers(of type: WebhookEventType) async throws -> [Webhook]
    func recordDelivery(_ delivery: WebhookDelivery) async throws
    func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery]
    /// Deliveries not yet finished, e.g. after a restart.
    func pendingDeliveries() async throws -> [WebhookDelivery]
}
