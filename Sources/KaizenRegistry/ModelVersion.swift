public import KaizenCore

/// One version of a registered model: where its files are, where it came from, its stage.
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int64
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var currentStage: ModelStage
    /// Nil when the version was updated without a description (MLflow then omits the field).
    public var description: String?
    public var source: String
    public var runID: String
    public var runLink: String
    public var tags: [Tag]
    public var aliases: [String]
    /// Where the files are, when that differs from `source` (a `models:/m-...` source's logged model).
    public var storageLocation: String?

    public init(
        name: String, version: Int64, creationTimestamp: Int64, lastUpdatedTimestamp: Int64,
        currentStage: ModelStage = .none, description: String? = "", source: String, runID: String = "",
        runLink: String = "", tags: [Tag] = [], aliases: [String] = [], storageLocation: String? = nil
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.tags = tags
        self.aliases = aliases
        self.storageLocation = storageLocation
    }

    /// The URI a client downloads the version's files from.
    public var downloadURI: String { storageLocation ?? source }
}
