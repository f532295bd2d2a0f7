/// The checks of a rollout step's analysis, by the name each `CheckResult` carries.
public enum AnalysisCheck: String, Sendable, Equatable, CaseIterable {
    /// Server errors (5xx) per request: a one-sided two-proportion z-test, candidate against stable.
    case errorRate = "error_rate"
    /// The 99th percentile of latency, candidate over stable.
    case latencyP99 = "latency_p99"
    /// How far the candidate's predictions drift from stable's: Jensen–Shannon distance or PSI.
    case predictionDivergence = "prediction_divergence"
    /// How often a shadow candidate answered as stable did; only in shadow rollouts.
    case shadowAgreement = "shadow_agreement"
    /// Accuracy on the requests that got feedback labels, candidate against stable; only when the rollout sets
    /// `max_accuracy_drop`.
    case accuracy
    /// Accuracy estimated from the served probabilities (no labels needed), candidate against stable; only when the
    /// rollout sets `max_estimated_accuracy_drop`.
    case estimatedAccuracy = "estimated_accuracy"
}
