public import KaizenCore

/// A new version as the registry is about to store it.
public struct ModelVersionDraft: Sendable {
    public var name: String
    public var source: String
    public var runID: String
    public var runLink: String
    public var description: String
    public var tags: [Tag]
    public var storageLocation: String?

    public init(
        name: String, source: String, runID: String, runLink: String, description: String, tags: [Tag],
        storageLocation: String?
    ) {
        self.name = name
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.description = description
        self.tags = tags
        self.storageLocation = storageLocation
    }
}
