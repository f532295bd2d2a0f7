/// Whether a webhook receives deliveries.
public enum WebhookStatus: String, Sendable {
    case active = "ACTIVE"
    case disabled = "DISABLED"
}
