/// A key and a value attached to an experiment, run, logged model or dataset input.
public struct Tag: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Whether an entity is live or soft-deleted; deleted entities can be restored.
public enum LifecycleStage: String, Sendable {
    case active
    case deleted
}

/// Which lifecycle stages a search returns.
public enum ViewType: String, Sendable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// The stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }

    /// Parses the wire form: the enum name, or its protobuf number (1, 2, 3).
    public init?(wire: String) {
        switch wire.uppercased() {
        case "ACTIVE_ONLY", "1": self = .activeOnly
        case "DELETED_ONLY", "2": self = .deletedOnly
        case "ALL", "3": self = .all
        default: return nil
        }
    }
}

/// A named group of runs; the unit of organisation in tracking.
public struct Experiment: Sendable, Equatable {
    /// Decimal string id; `"0"` is the Default experiment.
    public var id: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [Tag]

    public init(
        id: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage = .active,
        creationTime: Int64, lastUpdateTime: Int64, tags: [Tag] = []
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }
}
