public import KaizenCore

/// A model logged by a run: an artifact folder plus metadata (MLflow 3's `LoggedModel`).
public struct LoggedModel: Sendable, Equatable {
    /// `m-` followed by 32 hex characters.
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var artifactURI: String
    public var status: LoggedModelStatus
    public var modelType: String
    public var sourceRunID: String?
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var tags: [Tag]
    public var params: [Param]
    /// Metric values logged against this model.
    public var metrics: [Metric]

    public init(
        modelID: String, experimentID: String, name: String, artifactURI: String, status: LoggedModelStatus,
        modelType: String, sourceRunID: String?, creationTimestamp: Int64, lastUpdatedTimestamp: Int64,
        tags: [Tag] = [], params: [Param] = [], metrics: [Metric] = []
    ) {
        self.modelID = modelID
        self.experimentID = experimentID
        self.name = name
        self.artifactURI = artifactURI
        self.status = status
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.tags = tags
        self.params = params
        self.metrics = metrics
    }
}
