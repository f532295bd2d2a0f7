import Foundation

extension StepAnalysis {
    /// Monitoring's figures for both versions, or why there are none yet.
    public enum PerformanceFigures: Sendable, Equatable {
        /// Measured over the rollout so far; a version that logged nothing is nil.
        case measured(candidate: VersionPerformance?, stable: VersionPerformance?)
        /// Not read yet (the step lacks its requests or its time, or the control plane has no inference log).
        case pending(String)
    }

    /// The performance checks the thresholds turn on, in order: `accuracy`, then `estimated_accuracy`.
    func performanceChecks(_ figures: PerformanceFigures) -> [CheckResult] {
        var checks: [CheckResult] = []
        if let limit = thresholds.maximumAccuracyDrop {
            checks.append(
                Self.pending(.accuracy, figures) ?? accuracyCheck(figures.candidate, figures.stable, limit: limit))
        }
        if let limit = thresholds.maximumEstimatedAccuracyDrop {
            checks.append(
                Self.pending(.estimatedAccuracy, figures)
                    ?? estimatedAccuracyCheck(figures.candidate, figures.stable, limit: limit))
        }
        return checks
    }

    static func pending(_ check: AnalysisCheck, _ figures: PerformanceFigures) -> CheckResult? {
        guard case .pending(let reason) = figures else { return nil }
        return CheckResult(name: check.rawValue, outcome: .notYet, figures: [:], reason: reason)
    }

    /// `accuracy`: labelled accuracy, candidate against stable. Fails on a drop that is both significant (one-sided
    /// z-test on the share of wrong predictions, p < alpha) and larger than `limit`.
    func accuracyCheck(_ candidate: VersionPerformance?, _ stable: VersionPerformance?, limit: Double) -> CheckResult {
        let candidateLabels = candidate?.labeled ?? 0
        let stableLabels = stable?.labeled ?? 0
        var figures = ["candidate_labels": Double(candidateLabels), "stable_labels": Double(stableLabels)]
        let minimum = Self.effectiveMinimum(thresholds.minimumLabels)
        guard Double(candidateLabels) >= minimum, Double(stableLabels) >= minimum else {
            return Self.notEnoughData(
                .accuracy, of: "labelled requests", candidate: Double(candidateLabels), stable: Double(stableLabels),
                needed: minimum, figures: figures)
        }
        let candidateCorrect = min(candidate?.correct ?? 0, candidateLabels)
        let stableCorrect = min(stable?.correct ?? 0, stableLabels)
        let test = TwoProportionZTest(
            candidateEvents: candidateLabels - candidateCorrect, candidateTrials: candidateLabels,
            stableEvents: stableLabels - stableCorrect, stableTrials: stableLabels)
        let candidateAccuracy = 1 - test.candidateRate
        let stableAccuracy = 1 - test.stableRate
        let drop = stableAccuracy - candidateAccuracy
        figures["candidate_accuracy"] = candidateAccuracy
        figures["stable_accuracy"] = stableAccuracy
        figures["z"] = test.z
        figures["p_value"] = test.pValue
        let significant = test.pValue < thresholds.alpha
        let fails = significant && drop > limit
        let judgement =
            fails
            ? String(
                format: "down %.2f points, more than the %.2f allowed, and significant (p = %.3g < %g)", drop * 100,
                limit * 100, test.pValue, thresholds.alpha)
            : significant
                ? String(format: "significant (p = %.3g) but within the %.2f points allowed", test.pValue, limit * 100)
                : String(format: "no significant drop (p = %.3g)", test.pValue)
        let reason =
            String(
                format: "candidate accuracy %.2f%% on %llu labels against stable's %.2f%% on %llu: ",
                candidateAccuracy * 100, candidateLabels, stableAccuracy * 100, stableLabels) + judgement
        return CheckResult(
            name: AnalysisCheck.accuracy.rawValue, outcome: fails ? .fail : .pass, figures: figures, reason: reason)
    }

    /// `estimated_accuracy`: accuracy estimated from the served probabilities, candidate against stable, each over
    /// at least the step's minimum of predictions. Fails when the candidate's estimate is more than `limit` below
    /// stable's.
    func estimatedAccuracyCheck(
        _ candidate: VersionPerformance?, _ stable: VersionPerformance?, limit: Double
    ) -> CheckResult {
        let candidateRows = candidate?.estimatedRows ?? 0
        let stableRows = stable?.estimatedRows ?? 0
        var figures = ["candidate_rows": Double(candidateRows), "stable_rows": Double(stableRows)]
        guard let candidateEstimate = candidate?.estimatedAccuracy, let stableEstimate = stable?.estimatedAccuracy
        else {
            let reason =
                (candidate == nil || stable == nil)
                ? "not enough data: no logged predictions of the \(candidate == nil ? "candidate" : "stable version") yet"
                : "no estimate: the endpoint needs a performance reference (kaizen monitor reference with labelled "
                    + "traffic) and a model that serves class probabilities"
            return CheckResult(
                name: AnalysisCheck.estimatedAccuracy.rawValue, outcome: .notYet, figures: figures, reason: reason)
        }
        let minimum = Self.effectiveMinimum(thresholds.minimumPredictions)
        guard Double(candidateRows) >= minimum, Double(stableRows) >= minimum else {
            return Self.notEnoughData(
                .estimatedAccuracy, of: "logged predictions", candidate: Double(candidateRows),
                stable: Double(stableRows), needed: minimum, figures: figures)
        }
        let drop = stableEstimate - candidateEstimate
        figures["candidate_estimated_accuracy"] = candidateEstimate
        figures["stable_estimated_accuracy"] = stableEstimate
        figures["drop"] = drop
        let fails = drop > limit
        let reason =
            String(
                format: "candidate estimated accuracy %.2f%% against stable's %.2f%%: ", candidateEstimate * 100,
                stableEstimate * 100)
            + (fails
                ? String(format: "down %.2f points, more than the %.2f allowed", drop * 100, limit * 100)
                : String(format: "within the %.2f points allowed", limit * 100))
        return CheckResult(
            name: AnalysisCheck.estimatedAccuracy.rawValue, outcome: fails ? .fail : .pass, figures: figures,
            reason: reason)
    }
}

extension StepAnalysis.PerformanceFigures {
    var candidate: VersionPerformance? {
        if case .measured(let candidate, _) = self { candidate } else { nil }
    }
    var stable: VersionPerformance? {
        if case .measured(_, let stable) = self { stable } else { nil }
    }
}
