/// One attempt-tracked delivery of an event to a webhook.
public struct WebhookDelivery: Sendable, Equatable {
    /// How long (milliseconds) a new delivery stays with the replica that created it before another may resume it:
    /// longer than all of its attempts take, so only a delivery whose replica died is sent again.
    public static let creatorLease: Int64 = 600_000

    public enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
    }

    public var id: String
    public var webhookID: String
    public var event: String
    /// The exact body sent (signed), kept so retries resend the same bytes.
    public var body: String
    /// Seconds since the epoch, part of the signature.
    public var timestamp: Int64
    public var status: Status
    public var attempts: Int
    public var responseStatus: Int?
    public var error: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, webhookID: String, event: String, body: String, timestamp: Int64, status: Status = .pending,
        attempts: Int = 0, responseStatus: Int? = nil, error: String? = nil, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.webhookID = webhookID
        self.event = event
        self.body = body
        self.timestamp = timestamp
        self.status = status
        self.attempts = attempts
        self.responseStatus = responseStatus
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
