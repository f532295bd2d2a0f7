public import KaizenCore

/// An event kind a webhook can subscribe to: an entity and an action, as MLflow names them.
public struct WebhookEventType: Sendable, Hashable, CustomStringConvertible {
    public var entity: String
    public var action: String

    public init(entity: String, action: String) {
        self.entity = entity
        self.action = action
    }

    /// `model_version.created` and the like.
    public var description: String { "\(entity.lowercased()).\(action.lowercased())" }

    public static let registeredModelCreated = WebhookEventType(entity: "REGISTERED_MODEL", action: "CREATED")
    public static let modelVersionCreated = WebhookEventType(entity: "MODEL_VERSION", action: "CREATED")
    public static let modelVersionTagSet = WebhookEventType(entity: "MODEL_VERSION_TAG", action: "SET")
    public static let modelVersionTagDeleted = WebhookEventType(entity: "MODEL_VERSION_TAG", action: "DELETED")
    public static let aliasCreated = WebhookEventType(entity: "MODEL_VERSION_ALIAS", action: "CREATED")
    public static let aliasDeleted = WebhookEventType(entity: "MODEL_VERSION_ALIAS", action: "DELETED")
    /// Kaizen's addition: MLflow sends no event for stage transitions, which delivery pipelines key on.
    public static let stageTransitioned = WebhookEventType(entity: "MODEL_VERSION_STAGE", action: "TRANSITIONED")

    /// Whether only Kaizen knows this event (MLflow clients cannot parse it).
    public var isKaizenOnly: Bool { entity == "MODEL_VERSION_STAGE" }

    /// The entity/action pairs MLflow accepts (its prompt and budget events included), plus Kaizen's.
    public static let valid: [String: [String]] = [
        "REGISTERED_MODEL": ["CREATED"], "MODEL_VERSION": ["CREATED"], "MODEL_VERSION_TAG": ["SET", "DELETED"],
        "MODEL_VERSION_ALIAS": ["CREATED", "DELETED"], "PROMPT": ["CREATED"], "PROMPT_VERSION": ["CREATED"],
        "PROMPT_TAG": ["SET", "DELETED"], "PROMPT_VERSION_TAG": ["SET", "DELETED"],
        "PROMPT_ALIAS": ["CREATED", "DELETED"],
        "BUDGET_POLICY": ["EXCEEDED"], "MODEL_VERSION_STAGE": ["TRANSITIONED"],
    ]

    /// Checks the pair against the valid ones, with MLflow's message.
    public static func validated(entity: String, action: String) throws(KaizenError) -> WebhookEventType {
        guard let actions = valid[entity] else {
            throw .invalidParameter(
                "Invalid webhook event entity '\(entity)'. Valid entities are: \(valid.keys.sorted())")
        }
        guard actions.contains(action) else {
            throw .invalidParameter(
                "Invalid action '\(action.lowercased())' for entity '\(entity.lowercased())'. "
                    + "Valid actions are: \(actions.map { $0.lowercased() })")
        }
        return WebhookEventType(entity: entity, action: action)
    }
}

/// Whether a webhook receives deliveries.
public enum WebhookStatus: String, Sendable {
    case active = "ACTIVE"
    case disabled = "DISABLED"
}

/// A subscription: registry events of some kinds are POSTed to a URL, signed with a secret.
public struct Webhook: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var url: String
    public var events: [WebhookEventType]
    /// Never returned to clients.
    public var secret: String
    public var status: WebhookStatus
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64

    public init(
        id: String, name: String, description: String, url: String, events: [WebhookEventType], secret: String,
        status: WebhookStatus, creationTimestamp: Int64, lastUpdatedTimestamp: Int64
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.url = url
        self.events = events
        self.secret = secret
        self.status = status
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }
}

/// A registry event on its way to subscribers.
public struct RegistryEvent: Sendable, Equatable {
    public var type: WebhookEventType
    /// The event's `data` object.
    public var data: JSONValue
    /// Milliseconds since the epoch.
    public var timestamp: Int64

    public init(type: WebhookEventType, data: JSONValue, timestamp: Int64) {
        self.type = type
        self.data = data
        self.timestamp = timestamp
    }
}

/// One attempt-tracked delivery of an event to a webhook.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
    }

    public var id: String
    public var webhookID: String
    public var event: String
    /// The exact body sent (signed), kept so retries resend the same bytes.
    public var body: String
    /// Seconds since the epoch, part of the signature.
    public var timestamp: Int64
    public var status: Status
    public var attempts: Int
    public var responseStatus: Int?
    public var error: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, webhookID: String, event: String, body: String, timestamp: Int64, status: Status = .pending,
        attempts: Int = 0, responseStatus: Int? = nil, error: String? = nil, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.webhookID = webhookID
        self.event = event
        self.body = body
        self.timestamp = timestamp
        self.status = status
        self.attempts = attempts
        self.responseStatus = responseStatus
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Receives registry events after the change that caused them is committed. Must not block.
public protocol RegistryEventSink: Sendable {
    func publish(_ event: RegistryEvent)
}
