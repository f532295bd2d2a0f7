import Foundation

extension StepAnalysis {
    /// `shadow_agreement`: the share of shadowed requests where the candidate answered as stable did; fails below
    /// the minimum agreement.
    func shadowAgreementCheck(candidate: VersionStats) -> CheckResult {
        let compared = Double(candidate.shadowCompared)
        let agreed = Double(min(candidate.shadowAgreed, candidate.shadowCompared))
        var figures = ["compared": compared, "agreed": agreed]
        let minimum = Self.effectiveMinimum(thresholds.minimumShadowComparisons)
        guard compared >= minimum else {
            return CheckResult(
                name: AnalysisCheck.shadowAgreement.rawValue, outcome: .notYet, figures: figures,
                reason: String(format: "not enough data: %.0f shadow comparisons, %.0f needed", compared, minimum)
            )
        }
        let agreement = agreed / compared
        figures["agreement"] = agreement
        let fails = agreement < thresholds.minimumAgreement
        let reason =
            String(
                format: "candidate agreed with stable on %.1f%% of %.0f shadowed requests, ", agreement * 100, compared)
            + (fails ? "below" : "at or above")
            + String(format: " the %.1f%% minimum", thresholds.minimumAgreement * 100)
        return CheckResult(
            name: AnalysisCheck.shadowAgreement.rawValue, outcome: fails ? .fail : .pass, figures: figures,
            reason: reason
        )
    }
}
