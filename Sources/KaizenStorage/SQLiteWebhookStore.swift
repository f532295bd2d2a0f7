public import GRDB
import KaizenCore
public import KaizenRegistry

/// The SQLite implementation of `WebhookStore`.
public struct SQLiteWebhookStore: WebhookStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    static func eventsText(_ events: [WebhookEventType]) -> String {
        JSONValue.array(events.map { .object([("entity", .string($0.entity)), ("action", .string($0.action))]) })
            .jsonText
    }

    static func webhook(_ row: Row) -> Webhook {
        let eventsText: String = row["events"]
        let events = ((try? JSONValue(parsing: eventsText))?.arrayValue ?? []).compactMap { item -> WebhookEventType? in
            guard let entity = item["entity"]?.stringValue, let action = item["action"]?.stringValue else { return nil }
            return WebhookEventType(entity: entity, action: action)
        }
        return Webhook(
            id: row["id"], name: row["name"], description: row["description"], url: row["url"], events: events,
            secret: row["secret"], status: WebhookStatus(rawValue: row["status"]) ?? .active,
            creationTimestamp: row["creation_timestamp"], lastUpdatedTimestamp: row["last_updated_timestamp"])
    }

    public func createWebhook(_ webhook: Webhook) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhooks(id, name, description, url, events, secret, status, creation_timestamp,
                                         last_updated_timestamp)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    webhook.id, webhook.name, webhook.description, webhook.url, Self.eventsText(webhook.events),
                    webhook.secret, webhook.status.rawValue, webhook.creationTimestamp, webhook.lastUpdatedTimestamp,
                ])
        }
    }

    public func webhook(id: String) async throws -> Webhook? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM webhooks WHERE id = ? AND deleted_timestamp IS NULL", arguments: [id]
            )
            .map(Self.webhook)
        }
    }

    public func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhooks WHERE deleted_timestamp IS NULL
                    ORDER BY creation_timestamp DESC, id LIMIT ? OFFSET ?
                    """, arguments: [limit, offset]
            ).map(Self.webhook)
        }
    }

    public func updateWebhook(_ webhook: Webhook) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhooks SET name = ?, description = ?, url = ?, events = ?, secret = ?, status = ?,
                                        last_updated_timestamp = ?
                    WHERE id = ?
                    """,
                arguments: [
                    webhook.name, webhook.description, webhook.url, Self.eventsText(webhook.events), webhook.secret,
                    webhook.status.rawValue, webhook.lastUpdatedTimestamp, webhook.id,
                ])
        }
    }

    public func deleteWebhook(id: String, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE webhooks SET deleted_timestamp = ? WHERE id = ?", arguments: [now, id])
        }
    }

    public func subscribers(of type: WebhookEventType) async throws -> [Webhook] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhooks WHERE deleted_timestamp IS NULL AND status = 'ACTIVE'")
                .map(Self.webhook).filter { $0.events.contains(type) }
        }
    }

    public func recordDelivery(_ delivery: WebhookDelivery) async throws {
        try await pool.write { db in
            // REPLACE gives the row a new rowid (the delivery log's order among equal times); the claim is carried over.
            // A new delivery is held by the replica that created it (and is sending it) for `creatorLease`.
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO webhook_deliveries(id, webhook_id, event, body, timestamp, status, attempts,
                                                              response_status, error, created_at, updated_at,
                                                              claimed_by, claimed_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                            (SELECT claimed_by FROM webhook_deliveries WHERE id = ?),
                            ifnull((SELECT claimed_until FROM webhook_deliveries WHERE id = ?), ?))
                    """,
                arguments: [
                    delivery.id, delivery.webhookID, delivery.event, delivery.body, delivery.timestamp,
                    delivery.status.rawValue, delivery.attempts, delivery.responseStatus, delivery.error,
                    delivery.createdAt, delivery.updatedAt, delivery.id, delivery.id,
                    delivery.createdAt + WebhookDelivery.creatorLease,
                ])
        }
    }

    static func delivery(_ row: Row) -> WebhookDelivery {
        WebhookDelivery(
            id: row["id"], webhookID: row["webhook_id"], event: row["event"], body: row["body"],
            timestamp: row["timestamp"],
            status: WebhookDelivery.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
            responseStatus: row["response_status"], error: row["error"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }

    public func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                arguments: [webhookID, limit]
            ).map(Self.delivery)
        }
    }

    public func pendingDeliveries() async throws -> [WebhookDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_deliveries WHERE status = 'pending' ORDER BY created_at")
                .map(Self.delivery)
        }
    }

    public func claimPendingDeliveries(owner: String, now: Int64, lease: Int64) async throws -> [WebhookDelivery] {
        // One writer at a time: the select and the update see no other claim in between.
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook_deliveries
                    WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)
                    ORDER BY created_at, id
                    """, arguments: [now])
            for row in rows {
                try db.execute(
                    sql: "UPDATE webhook_deliveries SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                    arguments: [owner, now + lease, row["id"] as String])
            }
            return rows.map(Self.delivery)
        }
    }
}
