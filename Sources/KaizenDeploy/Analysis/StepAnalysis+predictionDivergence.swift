import Foundation

extension StepAnalysis {
    /// `prediction_divergence`: fails when the chosen distance between the two versions' predictions is above its
    /// threshold and the difference is significant (a G-test of homogeneity at `alpha`). Passes with "no predictions
    /// to compare" when both versions served enough requests but neither sketch holds a prediction (outputs that
    /// cannot be summarized).
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
        let cells = PredictionDistance.alignedCells(candidate.predictions, stable.predictions)
        guard candidateCount >= minimum, stableCount >= minimum,
            let distance = PredictionDistance(candidateCells: cells.0, stableCells: cells.1)
        else {
            return Self.notEnoughData(
                .predictionDivergence, of: "predictions", candidate: candidateCount, stable: stableCount,
                needed: minimum, figures: figures
            )
        }
        figures["js_distance"] = distance.jsDistance
        figures["psi"] = distance.psi
        let significance = HomogeneityGTest(candidate: cells.0, stable: cells.1)
        let pValue = significance?.pValue ?? 1
        figures["g_statistic"] = significance?.statistic ?? 0
        figures["divergence_p_value"] = pValue

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
        // A distance over the limit fails only when two samples of one distribution would rarely be that far apart.
        // Two identical binary classifiers (37% positive) with 100 predictions each are more than 0.1 apart
        // (Jensen-Shannon) in 9.5% of steps by chance alone, and with 200 each in 2%.
        let above = judged.value > judged.limit
        let significant = pValue < thresholds.alpha
        let fails = above && significant
        let measured =
            "\(judged.name) " + String(format: "%.3g is ", judged.value) + (above ? "above" : "within")
            + String(format: " the %g allowed", judged.limit)
        let reason: String
        switch (above, significant) {
        case (false, _):
            reason = "predictions agree: \(measured) (\(judged.other))"
        case (true, true):
            reason = "predictions diverge: \(measured) (\(judged.other); G-test p " + String(format: "%.3g)", pValue)
        case (true, false):
            reason =
                "predictions agree within sampling noise: \(measured), but a G-test gives p "
                + String(format: "%.3g, not below alpha %g", pValue, thresholds.alpha) + " (\(judged.other))"
        }
        return CheckResult(
            name: AnalysisCheck.predictionDivergence.rawValue, outcome: fails ? .fail : .pass, figures: figures,
            reason: reason
        )
    }
}
