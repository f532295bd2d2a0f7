import Foundation

/// The analysis of one rollout step: the candidate judged against stable over the same window, check by check.
///
/// Pure, with no I/O and no clock: the same statistics and thresholds always give the same verdict. The checks are
/// `error_rate`, `latency_p99`, `prediction_divergence`, for a shadow candidate `shadow_agreement`, and the
/// performance gates the rollout turns on, `accuracy` and `estimated_accuracy` (see `AnalysisCheck`). A check short
/// of data is `notYet`, never a pass, so a step never passes on an empty window.
public struct StepAnalysis: Sendable, Equatable {
    /// The limits the checks apply.
    public var thresholds: AnalysisThresholds

    /// An analysis with the given thresholds, the defaults if none.
    public init(thresholds: AnalysisThresholds = AnalysisThresholds()) {
        self.thresholds = thresholds
    }

    /// The verdict on a step from both versions' statistics over the same window.
    ///
    /// - Parameter requiringShadowAgreement: true in a shadow rollout, so that `shadow_agreement` is a check (and
    ///   `notYet`) before the first comparison arrives. When false, the check is there only once the candidate has
    ///   shadow comparisons.
    /// - Parameter performance: monitoring's figures for the `accuracy` and `estimated_accuracy` checks, when the
    ///   thresholds turn them on.
    public func verdict(
        candidate: VersionStats, stable: VersionStats, requiringShadowAgreement: Bool = false,
        performance: PerformanceFigures = .pending("no inference log was read")
    ) -> StepVerdict {
        var checks = [
            errorRateCheck(candidate: candidate, stable: stable),
            latencyCheck(candidate: candidate, stable: stable),
            predictionDivergenceCheck(candidate: candidate, stable: stable),
        ]
        if requiringShadowAgreement || candidate.shadowCompared > 0 {
            checks.append(shadowAgreementCheck(candidate: candidate))
        }
        checks += performanceChecks(performance)
        return StepVerdict(checks: checks)
    }

    /// A minimum sample size as compared: never below 1, so that no check decides on nothing.
    static func effectiveMinimum(_ minimum: UInt64) -> Double {
        Double(max(minimum, 1))
    }

    /// The `notYet` result of a check that lacks data on one side or both.
    static func notEnoughData(
        _ check: AnalysisCheck, of samples: String, candidate: Double, stable: Double, needed: Double,
        figures: [String: Double]
    ) -> CheckResult {
        let reason =
            String(format: "not enough data: %.0f candidate and %.0f stable ", candidate, stable)
            + samples + String(format: ", %.0f needed on each side", needed)
        return CheckResult(name: check.rawValue, outcome: .notYet, figures: figures, reason: reason)
    }
}
