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
    /// Kaizen's deployments: an endpoint created, changed or deleted (`data.change` says which).
    public static let endpointUpdated = WebhookEventType(entity: "ENDPOINT", action: "UPDATED")
    public static let rolloutStarted = WebhookEventType(entity: "ROLLOUT", action: "STARTED")
    public static let rolloutStep = WebhookEventType(entity: "ROLLOUT", action: "STEP")
    public static let rolloutPromoted = WebhookEventType(entity: "ROLLOUT", action: "PROMOTED")
    public static let rolloutRolledBack = WebhookEventType(entity: "ROLLOUT", action: "ROLLED_BACK")
    public static let rolloutPaused = WebhookEventType(entity: "ROLLOUT", action: "PAUSED")
    /// A monitoring rule held for a window of an endpoint's traffic.
    public static let monitorAlert = WebhookEventType(entity: "MONITOR", action: "ALERT")

    /// Whether only Kaizen knows this event (MLflow clients cannot parse it).
    public var isKaizenOnly: Bool { ["MODEL_VERSION_STAGE", "ENDPOINT", "ROLLOUT", "MONITOR"].contains(entity) }

    /// The entity/action pairs MLflow accepts (its prompt and budget events included), plus Kaizen's.
    public static let valid: [String: [String]] = [
        "REGISTERED_MODEL": ["CREATED"], "MODEL_VERSION": ["CREATED"], "MODEL_VERSION_TAG": ["SET", "DELETED"],
        "MODEL_VERSION_ALIAS": ["CREATED", "DELETED"], "PROMPT": ["CREATED"], "PROMPT_VERSION": ["CREATED"],
        "PROMPT_TAG": ["SET", "DELETED"], "PROMPT_VERSION_TAG": ["SET", "DELETED"],
        "PROMPT_ALIAS": ["CREATED", "DELETED"],
        "BUDGET_POLICY": ["EXCEEDED"], "MODEL_VERSION_STAGE": ["TRANSITIONED"], "ENDPOINT": ["UPDATED"],
        "ROLLOUT": ["STARTED", "STEP", "PROMOTED", "ROLLED_BACK", "PAUSED"], "MONITOR": ["ALERT"],
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
