/// The upload state of a logged model (MLflow 3).
public enum LoggedModelStatus: String, Sendable, CaseIterable {
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"

    /// Parses the wire form: the enum name, or its protobuf number (1 to 3).
    public init?(wire: String) {
        switch wire.uppercased() {
        case "LOGGED_MODEL_PENDING", "1": self = .pending
        case "LOGGED_MODEL_READY", "2": self = .ready
        case "LOGGED_MODEL_UPLOAD_FAILED", "3": self = .uploadFailed
        default: return nil
        }
    }
}

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
