public import KaizenCore

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

/// The tag that marks a registered model as a prompt; prompts are hidden from model searches.
public let promptTagKey = "mlflow.prompt.is_prompt"
