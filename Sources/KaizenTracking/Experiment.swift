public import KaizenCore

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
