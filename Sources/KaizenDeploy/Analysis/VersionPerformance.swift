/// What monitoring measured of one version's answers over a rollout: accuracy on the requests that got feedback
/// labels, and accuracy estimated from the served probabilities alone (confidence-based estimation) where the
/// endpoint has a performance reference.
public struct VersionPerformance: Sendable, Equatable {
    /// Logged rows whose feedback label was joined to the prediction.
    public var labeled: UInt64
    /// Of those, the rows predicted right.
    public var correct: UInt64
    /// Logged rows the estimate covers.
    public var estimatedRows: UInt64
    /// The estimated accuracy; nil when the endpoint has no performance reference or the model serves no
    /// probabilities.
    public var estimatedAccuracy: Double?

    public init(labeled: UInt64 = 0, correct: UInt64 = 0, estimatedRows: UInt64 = 0, estimatedAccuracy: Double? = nil) {
        self.labeled = labeled
        self.correct = correct
        self.estimatedRows = estimatedRows
        self.estimatedAccuracy = estimatedAccuracy
    }
}

/// Monitoring as the rollout analysis sees it: each version's performance over a time range of an endpoint's
/// inference log, by version number. A version that logged nothing in the range is absent.
public protocol VersionPerformanceSource: Sendable {
    func performance(endpoint: String, from: Int64, to: Int64) async throws -> [Int64: VersionPerformance]
}
