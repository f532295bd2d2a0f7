import Foundation

extension StepAnalysis {
    /// `prediction_divergence`: fails when the chosen distance between the two versions' predictions is above its
    /// threshold. Passes with "no predictions to compare" when both versions served enough requests but neither
    /// sketch holds a prediction (outputs that cannot be summarized).
    func predictionDivergenceCheck(candidate: VersionStats, stable: VersionStats) -> CheckResult {
        let candidateCount = candidate.predictions.total
        let stableCount = stable.predictions.total
        var figures = ["candidate_count": candidateCount, "stable_count": stableCount]
        if candidateCount == 0 && stableCount == 0 {
            let minimum = Self.effectiveMinimum(thresholds.minimumRequests)
            guard Double(candidate.requests) >= minimum, Double(stable.requests) >= minimum else {
                return Self.notEnoughData(
                    .predictionDivergence, of: "requests", candidate: Double(candidate.requests),
                    stable: Double(stable.requests), needed: minimum, figures: figures
                )
            }
            return CheckResult(
                name: AnalysisCheck.predictionDivergence.rawValue, outcome: .pass, figures: figures,
                reason: "no predictions to compare"
            )
        }
        let minimum = Self.effectiveMinimum(thresholds.minimumPredictions)
        guard candidateCount >= minimum, stableCount >= minimum,
            let distance = PredictionDistance(candidate: candidate.predictions, stable: stable.predictions)
        else {
            return Self.notEnoughData(
                .predictionDivergence, of: "predictions", candidate: candidateCount, stable: stableCount,
                needed: minimum, figures: figures
            )
        }
        figures["js_distance"] = distance.jsDistance
        figures["psi"] = distance.psi

        let judged: (name: String, value: Double, limit: Double, other: String)
        switch thresholds.divergenceMetric {
        case .jsDistance:
            judged = (
                "Jensen-Shannon distance", distance.jsDistance, thresholds.maximumJSDistance,
                String(format: "PSI %.3g", distance.psi)
            )
        case .psi:
            judged = (
                "PSI", distance.psi, thresholds.maximumPSI,
                String(format: "Jensen-Shannon distance %.3g", distance.jsDistance)
            )
        }
        let fails = judged.value > judged.limit
        let reason =
            "\(fails ? "predictions diverge" : "predictions agree"): \(judged.name) "
            + String(format: "%.3g is ", judged.value) + (fails ? "above" : "within")
            + String(format: " the %g allowed", judged.limit)
            + " (\(judged.other))"
        return CheckResult(
            name: AnalysisCheck.predictionDivergence.rawValue, outcome: fails ? .fail : .pass, figures: figures,
            reason: reason
        )
    }
}
