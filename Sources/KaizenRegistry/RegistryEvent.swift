public import KaizenCore

/// A registry event on its way to subscribers.
public struct RegistryEvent: Sendable, Equatable {
    public var type: WebhookEventType
    /// The event's `data` object.
    public var data: JSONValue
    /// Milliseconds since the epoch.
    public var timestamp: Int64

    public init(type: WebhookEventType, data: JSONValue, timestamp: Int64) {
        self.type = type
        self.data = data
        self.timestamp = timestamp
    }
}
