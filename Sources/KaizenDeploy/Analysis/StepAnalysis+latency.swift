import Foundation

extension StepAnalysis {
    /// `latency_p99`: fails when the candidate's p99 is more than the allowed ratio of stable's and above the floor.
    func latencyCheck(candidate: VersionStats, stable: VersionStats) -> CheckResult {
        let minimum = Self.effectiveMinimum(thresholds.minimumRequests)
        var figures = ["candidate_count": candidate.latencyCount, "stable_count": stable.latencyCount]
        guard candidate.latencyCount >= minimum, stable.latencyCount >= minimum,
            let candidateP99 = candidate.latencyQuantile(0.99), let stableP99 = stable.latencyQuantile(0.99)
        else {
            return Self.notEnoughData(
                .latencyP99, of: "latencies", candidate: candidate.latencyCount, stable: stable.latencyCount,
                needed: minimum, figures: figures
            )
        }
        // Positive: with a positive rank the interpolated quantile is above 0, even in the first bucket.
        let ratio = candidateP99 / stableP99
        figures["candidate_p99"] = candidateP99
        figures["stable_p99"] = stableP99
        figures["ratio"] = ratio

        let comparison =
            "candidate p99 \(Self.duration(candidateP99)) is "
            + String(format: "%.2fx stable's ", ratio) + Self.duration(stableP99)
        let outcome: VerdictOutcome
        let judgement: String
        if ratio <= thresholds.maximumLatencyRatio {
            outcome = .pass
            judgement = String(format: "within the %.2fx allowed", thresholds.maximumLatencyRatio)
        } else if candidateP99 <= thresholds.latencyFloor {
            outcome = .pass
            judgement = "above the ratio allowed, but under the \(Self.duration(thresholds.latencyFloor)) floor"
        } else {
            outcome = .fail
            judgement = String(format: "more than the %.2fx allowed", thresholds.maximumLatencyRatio)
        }
        return CheckResult(
            name: AnalysisCheck.latencyP99.rawValue, outcome: outcome, figures: figures,
            reason: "\(comparison): \(judgement)"
        )
    }

    private static func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.3g ms", seconds * 1000) : String(format: "%.3g s", seconds)
    }
}
