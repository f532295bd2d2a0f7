import Foundation
import KaizenCore
import Testing

@testable import KaizenDeploy

struct AnalysisPerformanceTests {
    let gated = StepAnalysis(
        thresholds: AnalysisThresholds(maximumAccuracyDrop: 0.02, maximumEstimatedAccuracyDrop: 0.03, minimumLabels: 50)
    )

    func verdict(_ analysis: StepAnalysis, _ figures: StepAnalysis.PerformanceFigures) -> StepVerdict {
        analysis.verdict(
            candidate: .window(requests: 1000, classes: ["a": 500, "b": 500]),
            stable: .window(requests: 1000, classes: ["a": 500, "b": 500]), performance: figures)
    }

    @Test func gatesAreOffUnlessARolloutSetsThem() {
        let checks = verdict(StepAnalysis(), .measured(candidate: nil, stable: nil)).checks.map(\.name)
        #expect(checks == ["error_rate", "latency_p99", "prediction_divergence"])
        #expect(!AnalysisThresholds().gatesOnPerformance)
    }

    @Test func pendingFiguresHoldTheStepWithTheirReason() {
        let result = verdict(gated, .pending("read once the step has its requests"))
        #expect(result.checks.map(\.name).suffix(2) == ["accuracy", "estimated_accuracy"])
        #expect(result.checks.suffix(2).allSatisfy { $0.outcome == .notYet && $0.reason.hasPrefix("read once") })
        #expect(result.outcome == .notYet)
    }

    @Test func aSignificantDropBeyondTheLimitFails() throws {
        // 80% against 95% on 400 labels each: z ≈ 6.5.
        let result = gated.accuracyCheck(
            VersionPerformance(labeled: 400, correct: 320), VersionPerformance(labeled: 400, correct: 380), limit: 0.02)
        #expect(result.outcome == .fail)
        #expect(abs(try #require(result.figures["candidate_accuracy"]) - 0.8) < 1e-12)
        #expect(abs(try #require(result.figures["stable_accuracy"]) - 0.95) < 1e-12)
        #expect(try #require(result.figures["p_value"]) < 1e-9)
        #expect(result.reason.hasPrefix("candidate accuracy 80.00% on 400 labels against stable's 95.00% on 400: down"))
    }

    @Test func aDropWithinTheLimitOrNotSignificantPasses() {
        // Significant (z ≈ 2.5 on 5,000 labels each) but 1.5 points, within 2.
        let small = gated.accuracyCheck(
            VersionPerformance(labeled: 5000, correct: 4675), VersionPerformance(labeled: 5000, correct: 4750),
            limit: 0.02)
        #expect(small.outcome == .pass)
        #expect(small.reason.contains("significant (p = "))
        // Ten points down on 50 labels each: 80% against 90%, p ≈ 0.08, not significant at 0.01.
        let noisy = gated.accuracyCheck(
            VersionPerformance(labeled: 50, correct: 40), VersionPerformance(labeled: 50, correct: 45), limit: 0.02)
        #expect(noisy.outcome == .pass)
        #expect(noisy.reason.hasSuffix(")") && noisy.reason.contains("no significant drop"))
        // A better candidate passes.
        let better = gated.accuracyCheck(
            VersionPerformance(labeled: 400, correct: 390), VersionPerformance(labeled: 400, correct: 300), limit: 0)
        #expect(better.outcome == .pass)
    }

    @Test func tooFewLabelsIsNotYet() {
        let result = gated.accuracyCheck(VersionPerformance(labeled: 49, correct: 10), nil, limit: 0.02)
        #expect(result.outcome == .notYet)
        #expect(result.reason == "not enough data: 49 candidate and 0 stable labelled requests, 50 needed on each side")
        // More correct answers than labels (never sent by monitoring) are read as all correct, without a trap.
        let odd = gated.accuracyCheck(
            VersionPerformance(labeled: 60, correct: 90), VersionPerformance(labeled: 60, correct: 60), limit: 0.02)
        #expect(odd.outcome == .pass)
    }

    @Test func estimatedAccuracyIsJudgedByItsDrop() {
        let stable = VersionPerformance(estimatedRows: 500, estimatedAccuracy: 0.93)
        let fails = gated.estimatedAccuracyCheck(
            VersionPerformance(estimatedRows: 500, estimatedAccuracy: 0.85), stable, limit: 0.03)
        #expect(fails.outcome == .fail)
        #expect(
            fails.reason
                == "candidate estimated accuracy 85.00% against stable's 93.00%: down 8.00 points, more than the 3.00 allowed"
        )
        let passes = gated.estimatedAccuracyCheck(
            VersionPerformance(estimatedRows: 500, estimatedAccuracy: 0.91), stable, limit: 0.03)
        #expect(passes.outcome == .pass)
        #expect(passes.reason.hasSuffix("within the 3.00 points allowed"))
        let few = gated.estimatedAccuracyCheck(
            VersionPerformance(estimatedRows: 10, estimatedAccuracy: 0.5), stable, limit: 0.03)
        #expect(few.outcome == .notYet)
    }

    @Test func noEstimateSaysWhatIsMissing() {
        let noReference = gated.estimatedAccuracyCheck(
            VersionPerformance(labeled: 3), VersionPerformance(labeled: 3), limit: 0.03)
        #expect(noReference.outcome == .notYet)
        #expect(noReference.reason.contains("performance reference"))
        let nothingLogged = gated.estimatedAccuracyCheck(nil, VersionPerformance(), limit: 0.03)
        #expect(nothingLogged.reason.contains("no logged predictions of the candidate"))
    }

    @Test func thresholdsRoundTripWithTheGates() throws {
        let json = try JSONValue(
            parsing: #"{"max_accuracy_drop": 0.02, "max_estimated_accuracy_drop": 0.05, "min_labels": 30}"#)
        let thresholds = try AnalysisThresholds(json: json)
        #expect(thresholds.maximumAccuracyDrop == 0.02)
        #expect(thresholds.maximumEstimatedAccuracyDrop == 0.05)
        #expect(thresholds.minimumLabels == 30)
        #expect(try AnalysisThresholds(json: thresholds.json) == thresholds)
        // Off, the gates are not written, so rollouts saved before them read back the same.
        #expect(!AnalysisThresholds().json.jsonText.contains("min_labels"))
        #expect(throws: KaizenError.self) {
            try AnalysisThresholds(json: JSONValue(parsing: #"{"max_accuracy_drop": 2}"#))
        }
        #expect(throws: KaizenError.self) {
            try AnalysisThresholds(json: JSONValue(parsing: #"{"min_labels": -1}"#))
        }
    }
}
