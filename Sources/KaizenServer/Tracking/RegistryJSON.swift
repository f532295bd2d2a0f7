import KaizenCore
import KaizenRegistry
import KaizenTracking

/// The protobuf-JSON shapes of registry entities, as MLflow clients read them.
enum RegistryJSON {
    static func modelVersion(_ version: ModelVersion) -> JSONValue {
        .fields(
            ("name", .string(version.name)), ("version", .string(String(version.version))),
            ("creation_timestamp", .integer(version.creationTimestamp)),
            ("last_updated_timestamp", .integer(version.lastUpdatedTimestamp)),
            ("current_stage", .string(version.currentStage.rawValue)),
            ("description", version.description.map { .string($0) }), ("source", .string(version.source)),
            ("run_id", .string(version.runID)), ("status", "READY"),
            ("tags", .repeated(version.tags, TrackingJSON.tag)),
            ("run_link", .string(version.runLink)), ("aliases", .repeated(version.aliases) { .string($0) }))
    }

    static func registeredModel(_ model: RegisteredModel) -> JSONValue {
        .fields(
            ("name", .string(model.name)), ("creation_timestamp", .integer(model.creationTimestamp)),
            ("last_updated_timestamp", .integer(model.lastUpdatedTimestamp)),
            ("description", model.description.isEmpty ? nil : .string(model.description)),
            ("latest_versions", .repeated(model.latestVersions, modelVersion)),
            ("tags", .repeated(model.tags, TrackingJSON.tag)),
            (
                "aliases",
                .repeated(model.aliases) {
                    .object([("alias", .string($0.alias)), ("version", .string(String($0.version)))])
                }
            ))
    }

    static func auditEvent(_ event: AuditEvent) -> JSONValue {
        .fields(
            ("id", .integer(event.id)), ("timestamp", .integer(event.timestamp)), ("actor", .string(event.actor)),
            ("action", .string(event.action)), ("name", .string(event.modelName)),
            ("version", event.version.map { .string(String($0)) }), ("before", event.before), ("after", event.after))
    }

    static func webhook(_ webhook: Webhook) -> JSONValue {
        .fields(
            ("webhook_id", .string(webhook.id)), ("name", .string(webhook.name)),
            ("description", webhook.description.isEmpty ? nil : .string(webhook.description)),
            ("url", .string(webhook.url)),
            // MLflow clients fail to parse a webhook that lists an event they do not know, so Kaizen's own
            // events are listed apart.
            ("events", .array(webhook.events.filter { !$0.isKaizenOnly }.map(eventJSON))),
            ("kaizen_events", .repeated(webhook.events.filter(\.isKaizenOnly), eventJSON)),
            ("status", .string(webhook.status.rawValue)), ("creation_timestamp", .integer(webhook.creationTimestamp)),
            ("last_updated_timestamp", .integer(webhook.lastUpdatedTimestamp)))
    }

    static func eventJSON(_ event: WebhookEventType) -> JSONValue {
        .object([("entity", .string(event.entity)), ("action", .string(event.action))])
    }

    static func delivery(_ delivery: WebhookDelivery) -> JSONValue {
        .fields(
            ("delivery_id", .string(delivery.id)), ("webhook_id", .string(delivery.webhookID)),
            ("event", .string(delivery.event)), ("status", .string(delivery.status.rawValue)),
            ("attempts", .integer(Int64(delivery.attempts))),
            ("response_status", delivery.responseStatus.map { .integer(Int64($0)) }),
            ("error", delivery.error.map { .string($0) }), ("created_at", .integer(delivery.createdAt)),
            ("updated_at", .integer(delivery.updatedAt)))
    }
}
