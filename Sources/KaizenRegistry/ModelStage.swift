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
