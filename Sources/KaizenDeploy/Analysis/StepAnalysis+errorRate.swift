import Foundation

extension StepAnalysis {
    /// `error_rate`: failed requests (4xx and 5xx) per request. Both versions get the same mix of requests, so
    /// the callers' own mistakes weigh on both alike, and a candidate that refuses inputs the stable version takes
    /// (an evaluation error is a 400, as in MLflow) shows as an increase. Fails when the candidate's server errors
    /// reach the ceiling, or on an increase that is both significant (one-sided z-test, p < alpha) and larger than
    /// the allowed increase.
    func errorRateCheck(candidate: VersionStats, stable: VersionStats) -> CheckResult {
        let minimum = Self.effectiveMinimum(thresholds.minimumRequests)
        var figures = [
            "candidate_requests": Double(candidate.requests), "stable_requests": Double(stable.requests),
        ]
        guard Double(candidate.requests) >= minimum, Double(stable.requests) >= minimum else {
            return Self.notEnoughData(
                .errorRate, of: "requests", candidate: Double(candidate.requests), stable: Double(stable.requests),
                needed: minimum, figures: figures
            )
        }
        let test = TwoProportionZTest(
            candidateEvents: candidate.serverErrors &+ candidate.clientErrors, candidateTrials: candidate.requests,
            stableEvents: stable.serverErrors &+ stable.clientErrors, stableTrials: stable.requests
        )
        let serverRate = candidate.requests == 0 ? 0 : Double(candidate.serverErrors) / Double(candidate.requests)
        figures["candidate_rate"] = test.candidateRate
        figures["stable_rate"] = test.stableRate
        figures["z"] = test.z
        figures["p_value"] = test.pValue

        let rates = String(
            format: "candidate error rate %.2f%% against stable's %.2f%%", test.candidateRate * 100,
            test.stableRate * 100
        )
        let increase = test.candidateRate - test.stableRate
        let significant = test.pValue < thresholds.alpha
        let outcome: VerdictOutcome
        let judgement: String
        if serverRate >= thresholds.maximumErrorRate {
            outcome = .fail
            judgement = String(
                format: "server errors %.2f%% at or above the %.2f%% ceiling", serverRate * 100,
                thresholds.maximumErrorRate * 100)
        } else if significant && increase > thresholds.maximumErrorRateIncrease {
            outcome = .fail
            judgement = String(
                format: "up %.2f points, more than the %.2f allowed, and significant (p = %.3g < %g)",
                increase * 100, thresholds.maximumErrorRateIncrease * 100, test.pValue, thresholds.alpha
            )
        } else if significant {
            outcome = .pass
            judgement = String(
                format: "significant (p = %.3g) but within the %.2f points allowed", test.pValue,
                thresholds.maximumErrorRateIncrease * 100
            )
        } else {
            outcome = .pass
            judgement = String(format: "no significant increase (p = %.3g)", test.pValue)
        }
        return CheckResult(
            name: AnalysisCheck.errorRate.rawValue, outcome: outcome, figures: figures, reason: "\(rates): \(judgement)"
        )
    }
}
