/// A subscription: registry events of some kinds are POSTed to a URL, signed with a secret.
public struct Webhook: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var url: String
    public var events: [WebhookEventType]
    /// Never returned to clients.
    public var secret: String
    public var status: WebhookStatus
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64

    public init(
        id: String, name: String, description: String, url: String, events: [WebhookEventType], secret: String,
        status: WebhookStatus, creationTimestamp: Int64, lastUpdatedTimestamp: Int64
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.url = url
        self.events = events
        self.secret = secret
        self.status = status
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }
}
