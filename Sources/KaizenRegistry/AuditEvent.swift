public import KaizenCore

/// One recorded change to the registry: who did what, when, and the fields before and after.
public struct AuditEvent: Sendable, Equatable {
    public var id: Int64
    public var timestamp: Int64
    public var actor: String
    /// `create_registered_model`, `transition_model_version_stage`, ...
    public var action: String
    public var modelName: String
    public var version: Int64?
    public var before: JSONValue?
    public var after: JSONValue?

    public init(
        id: Int64 = 0, timestamp: Int64, actor: String, action: String, modelName: String, version: Int64? = nil,
        before: JSONValue? = nil, after: JSONValue? = nil
    ) {
        self.id = id
        self.timestamp = timestamp
        self.actor = actor
        self.action = action
        self.modelName = modelName
        self.version = version
        self.before = before
        self.after = after
    }
}
