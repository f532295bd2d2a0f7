/// The outcome of one check of a rollout step, or of the step as a whole.
public enum VerdictOutcome: String, Sendable, Equatable {
    case pass
    case fail
    /// Not enough data to decide: never a pass, never a fail.
    case notYet = "not_yet"
}

/// One check of a step's analysis (error rate, latency, divergence, agreement) with the figures behind it.
public struct CheckResult: Sendable, Equatable {
    /// `error_rate`, `latency_p99`, `prediction_divergence`, `shadow_agreement`.
    public var name: String
    public var outcome: VerdictOutcome
    /// The figures, by name: rates, p-value, ratio, distance, sample sizes.
    public var figures: [String: Double]
    /// A sentence for `kaizen rollouts status`.
    public var reason: String

    public init(name: String, outcome: VerdictOutcome, figures: [String: Double], reason: String) {
        self.name = name
        self.outcome = outcome
        self.figures = figures
        self.reason = reason
    }
}

/// A step's verdict: it fails if any check fails, passes if every check passes, and is not yet decided otherwise.
public struct StepVerdict: Sendable, Equatable {
    public var checks: [CheckResult]

    public init(checks: [CheckResult]) {
        self.checks = checks
    }

    public var outcome: VerdictOutcome {
        if checks.contains(where: { $0.outcome == .fail }) { return .fail }
        if !checks.isEmpty && checks.allSatisfy({ $0.outcome == .pass }) { return .pass }
        return .notYet
    }
}
