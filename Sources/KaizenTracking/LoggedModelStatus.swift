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
