/// Persistence of webhook subscriptions and their delivery log.
public protocol WebhookStore: Sendable {
    func createWebhook(_ webhook: Webhook) async throws
    func webhook(id: String) async throws -> Webhook?
    func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook]
    func updateWebhook(_ webhook: Webhook) async throws
    func deleteWebhook(id: String, now: Int64) async throws
    /// Active webhooks subscribed to `type`.
    func subscribers(of type: WebhookEventType) async throws -> [Webhook]
    /// Saves a delivery's state; a claim on it (`claimPendingDeliveries`) is kept.
    func recordDelivery(_ delivery: WebhookDelivery) async throws
    func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery]
    /// Deliveries not yet finished, oldest first, claimed or not: for looking, not for resuming them.
    func pendingDeliveries() async throws -> [WebhookDelivery]
    /// Claims the unfinished deliveries that no one holds (never claimed, or the claim ran out before `now`) for
    /// `owner` until `now + lease` (milliseconds), and returns them oldest first: a replica resuming deliveries after a
    /// restart takes these, and two replicas claiming at once never get the same delivery.
    func claimPendingDeliveries(owner: String, now: Int64, lease: Int64) async throws -> [WebhookDelivery]
}
