public import KaizenTracking

/// The deployment stage of a model version.
public enum ModelStage: String, Sendable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// Parses a stage name case-insensitively (`production` → `Production`), as MLflow does.
    public init?(caseInsensitive text: String) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = stage
    }

    /// Stages whose other versions a transition may archive.
    public var isActive: Bool { self == .staging || self == .production }
}

/// A named model in the registry, with its versions' summary.
public struct RegisteredModel: Sendable, Equatable {
    public var name: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String
    public var tags: [Tag]
    /// Alias → version number, sorted by alias.
    public var aliases: [ModelAlias]
    /// The newest live version in each stage.
    public var latestVersions: [ModelVersion]

    public init(
        name: String, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, description: String = "",
        tags: [Tag] = [], aliases: [ModelAlias] = [], latestVersions: [ModelVersion] = []
    ) {
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.description = description
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }
}

/// An alias that points at one version of a model.
public struct ModelAlias: Sendable, Hashable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}

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
