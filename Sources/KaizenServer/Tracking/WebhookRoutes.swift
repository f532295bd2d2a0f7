import Foundation
import Hummingbird
import KaizenCore
import KaizenRegistry

/// MLflow's webhook endpoints (`/api/2.0/mlflow/webhooks`), plus Kaizen's delivery log.
enum WebhookRoutes {
    static func events(_ message: RequestMessage) throws(KaizenError) -> [WebhookEventType] {
        let items = try message.messages("events")
        guard !items.isEmpty else {
            throw .invalidParameter("Webhook events must be a non-empty list of WebhookEvent objects: [].")
        }
        return try items.map { item throws(KaizenError) in
            try WebhookEventType.validated(
                entity: try item.requireString("entity").uppercased(),
                action: try item.requireString("action").uppercased())
        }
    }

    static func validateName(_ name: String) throws(KaizenError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_"
                || $0 == "-"
        }
        let edgesOK =
            name.first.map { $0.isLetter || $0.isNumber } == true
            && name.last.map { $0.isLetter || $0.isNumber } == true
        guard (1...63).contains(name.count), allowed, edgesOK else {
            throw .invalidParameter(
                "Webhook name '\(name)' is invalid. It must start and end with a letter or digit, be less than 63 "
                    + "characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).")
        }
    }

    static func status(_ message: RequestMessage) throws(KaizenError) -> WebhookStatus? {
        guard let text = try message.identifier("status") else { return nil }
        switch text.uppercased() {
        case "ACTIVE", "1": return .active
        case "DISABLED", "2": return .disabled
        default: throw .invalidValue(text, for: "status")
        }
    }

    static func register(
        on endpoints: EndpointRegistrar<some RequestContext>, store: any WebhookStore, dispatcher: WebhookDispatcher
    ) {
        @Sendable func require(_ parameters: Parameters) async throws -> Webhook {
            let id = parameters.get("webhook_id") ?? ""
            guard let webhook = try await store.webhook(id: id) else {
                throw KaizenError.notFound("Webhook with ID \(id) not found.")
            }
            return webhook
        }
        endpoints.register("webhooks", methods: [.post]) { message in
            let name = try message.requireString("name")
            try validateName(name)
            let url = try message.requireString("url")
            try dispatcher.policy.validate(url)
            let now = currentTimeMillis()
            let webhook = Webhook(
                id: UUID().uuidString.lowercased(), name: name, description: try message.string("description") ?? "",
                url: url, events: try events(message), secret: try message.string("secret") ?? "",
                status: try status(message) ?? .active, creationTimestamp: now, lastUpdatedTimestamp: now)
            try await store.createWebhook(webhook)
            return .object([("webhook", RegistryJSON.webhook(webhook))])
        }
        endpoints.register("webhooks", methods: [.get]) { message in
            let limit = try message.int64("max_results") ?? 100
            guard (0...1000).contains(limit) else {
                throw KaizenError.invalidParameter("max_results must be between 1 and 1000.")
            }
            let pageSize = limit == 0 ? 100 : Int(limit)
            let offset = try PageToken(decoding: try message.string("page_token")).offset
            var webhooks = try await store.listWebhooks(offset: offset, limit: pageSize + 1)
            let hasMore = webhooks.count > pageSize
            if hasMore { webhooks.removeLast() }
            return .fields(
                ("webhooks", .repeated(webhooks, RegistryJSON.webhook)),
                ("next_page_token", hasMore ? .string(PageToken(offset: offset + pageSize).encoded) : nil))
        }
        endpoints.register("webhooks/:webhook_id", methods: [.get]) { _, parameters in
            .object([("webhook", RegistryJSON.webhook(try await require(parameters)))])
        }
        endpoints.register("webhooks/:webhook_id", methods: [.patch]) { message, parameters in
            var webhook = try await require(parameters)
            if let name = try message.string("name") {
                try validateName(name)
                webhook.name = name
            }
            if let description = try message.string("description") { webhook.description = description }
            if let url = try message.string("url") {
                try dispatcher.policy.validate(url)
                webhook.url = url
            }
            if try message.value("events") != nil { webhook.events = try events(message) }
            if let secret = try message.string("secret") { webhook.secret = secret }
            if let status = try status(message) { webhook.status = status }
            webhook.lastUpdatedTimestamp = currentTimeMillis()
            try await store.updateWebhook(webhook)
            return .object([("webhook", RegistryJSON.webhook(webhook))])
        }
        endpoints.register("webhooks/:webhook_id", methods: [.delete]) { _, parameters in
            let webhook = try await require(parameters)
            try await store.deleteWebhook(id: webhook.id, now: currentTimeMillis())
            return .object([])
        }
        endpoints.register("webhooks/:webhook_id/test", methods: [.post]) { message, parameters in
            let webhook = try await require(parameters)
            var type = webhook.events.first ?? .modelVersionCreated
            if let event = try message.message("event") {
                type = try WebhookEventType.validated(
                    entity: try event.requireString("entity").uppercased(),
                    action: try event.requireString("action").uppercased())
            }
            return .object([("result", await dispatcher.test(webhook, type: type))])
        }
        endpoints.register("webhooks/:webhook_id/deliveries", methods: [.get]) { message, parameters in
            let webhook = try await require(parameters)
            let limit = Int(min(max(try message.int64("max_results") ?? 100, 1), 1000))
            let deliveries = try await store.deliveries(webhookID: webhook.id, limit: limit)
            return .object([("deliveries", .array(deliveries.map(RegistryJSON.delivery)))])
        }
    }
}
