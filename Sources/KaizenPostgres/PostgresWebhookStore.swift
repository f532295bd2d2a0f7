import KaizenCore
public import KaizenRegistry
import Logging
import PostgresNIO

/// The PostgreSQL implementation of `WebhookStore`: replicas share the subscriptions and the delivery log, and a
/// claim with `FOR UPDATE SKIP LOCKED` hands each unfinished delivery to one replica.
public struct PostgresWebhookStore: WebhookStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    var logger: Logger { database.logger }

    static func eventsText(_ events: [WebhookEventType]) -> String {
        JSONValue.array(events.map { .object([("entity", .string($0.entity)), ("action", .string($0.action))]) })
            .jsonText
    }

    static func webhook(_ row: NamedRow) throws -> Webhook {
        let eventsText = try row.get("events", as: String.self)
        let events = ((try? JSONValue(parsing: eventsText))?.arrayValue ?? []).compactMap { item -> WebhookEventType? in
            guard let entity = item["entity"]?.stringValue, let action = item["action"]?.stringValue else { return nil }
            return WebhookEventType(entity: entity, action: action)
        }
        return Webhook(
            id: try row.get("id"), name: try row.get("name"), description: try row.get("description"),
            url: try row.get("url"), events: events, secret: try row.get("secret"),
            status: WebhookStatus(rawValue: try row.get("status")) ?? .active,
            creationTimestamp: try row.get("creation_timestamp"),
            lastUpdatedTimestamp: try row.get("last_updated_timestamp"))
    }

    static func delivery(_ row: NamedRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.get("id"), webhookID: try row.get("webhook_id"), event: try row.get("event"),
            body: try row.get("body"), timestamp: try row.get("timestamp"),
            status: WebhookDelivery.Status(rawValue: try row.get("status")) ?? .pending,
            attempts: try row.get("attempts"), responseStatus: try row.get("response_status"),
            error: try row.get("error"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }

    public func createWebhook(_ webhook: Webhook) async throws {
        let logger = logger
        _ = try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO webhooks(id, name, description, url, events, secret, status, creation_timestamp,
                                     last_updated_timestamp)
                VALUES (\(webhook.id), \(webhook.name), \(webhook.description), \(webhook.url),
                        \(Self.eventsText(webhook.events)), \(webhook.secret), \(webhook.status.rawValue),
                        \(webhook.creationTimestamp), \(webhook.lastUpdatedTimestamp))
                """, logger: logger)
        }
    }

    public func webhook(id: String) async throws -> Webhook? {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetchOne(
                connection, "SELECT * FROM webhooks WHERE id = \(id) AND deleted_timestamp IS NULL", logger: logger
            ).map(Self.webhook)
        }
    }

    public func listWebhooks(offset: Int, limit: Int) async throws -> [Webhook] {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(
                connection,
                """
                SELECT * FROM webhooks WHERE deleted_timestamp IS NULL
                ORDER BY creation_timestamp DESC, id LIMIT \(Int64(limit)) OFFSET \(Int64(offset))
                """, logger: logger
            ).map(Self.webhook)
        }
    }

    public func updateWebhook(_ webhook: Webhook) async throws {
        let logger = logger
        _ = try await database.write { connection in
            try await connection.query(
                """
                UPDATE webhooks SET name = \(webhook.name), description = \(webhook.description), url = \(webhook.url),
                                    events = \(Self.eventsText(webhook.events)), secret = \(webhook.secret),
                                    status = \(webhook.status.rawValue),
                                    last_updated_timestamp = \(webhook.lastUpdatedTimestamp)
                WHERE id = \(webhook.id)
                """, logger: logger)
        }
    }

    public func deleteWebhook(id: String, now: Int64) async throws {
        let logger = logger
        _ = try await database.write { connection in
            try await connection.query(
                "UPDATE webhooks SET deleted_timestamp = \(now) WHERE id = \(id)", logger: logger)
        }
    }

    public func subscribers(of type: WebhookEventType) async throws -> [Webhook] {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(
                connection, "SELECT * FROM webhooks WHERE deleted_timestamp IS NULL AND status = 'ACTIVE'",
                logger: logger
            ).map(Self.webhook).filter { $0.events.contains(type) }
        }
    }

    public func recordDelivery(_ delivery: WebhookDelivery) async throws {
        let logger = logger
        let responseStatus = delivery.responseStatus.map(Int64.init)
        _ = try await database.write { connection in
            // A new `seq` on every save orders the log among equal times by the latest save, as SQLite's REPLACE
            // does; the claim is kept. A new delivery is held by the replica that created it for `creatorLease`.
            try await connection.query(
                """
                INSERT INTO webhook_deliveries(id, webhook_id, event, body, timestamp, status, attempts,
                                               response_status, error, created_at, updated_at, claimed_until)
                VALUES (\(delivery.id), \(delivery.webhookID), \(delivery.event), \(delivery.body),
                        \(delivery.timestamp), \(delivery.status.rawValue), \(Int64(delivery.attempts)),
                        \(responseStatus), \(delivery.error), \(delivery.createdAt), \(delivery.updatedAt),
                        \(delivery.createdAt + WebhookDelivery.creatorLease))
                ON CONFLICT (id) DO UPDATE SET
                    seq = EXCLUDED.seq, webhook_id = EXCLUDED.webhook_id, event = EXCLUDED.event,
                    body = EXCLUDED.body, timestamp = EXCLUDED.timestamp, status = EXCLUDED.status,
                    attempts = EXCLUDED.attempts, response_status = EXCLUDED.response_status,
                    error = EXCLUDED.error, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
                """, logger: logger)
        }
    }

    public func deliveries(webhookID: String, limit: Int) async throws -> [WebhookDelivery] {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(
                connection,
                """
                SELECT * FROM webhook_deliveries WHERE webhook_id = \(webhookID)
                ORDER BY created_at DESC, seq DESC LIMIT \(Int64(limit))
                """, logger: logger
            ).map(Self.delivery)
        }
    }

    public func pendingDeliveries() async throws -> [WebhookDelivery] {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(
                connection, "SELECT * FROM webhook_deliveries WHERE status = 'pending' ORDER BY created_at, seq",
                logger: logger
            ).map(Self.delivery)
        }
    }

    public func claimPendingDeliveries(owner: String, now: Int64, lease: Int64) async throws -> [WebhookDelivery] {
        let logger = logger
        return try await database.write { connection in
            // Rows another claimer has locked are skipped, not waited for: each delivery goes to one claimer.
            try await NamedRow.fetch(
                connection,
                """
                UPDATE webhook_deliveries SET claimed_by = \(owner), claimed_until = \(now + lease)
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < \(now))
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """, logger: logger
            ).map(Self.delivery).sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }
}
