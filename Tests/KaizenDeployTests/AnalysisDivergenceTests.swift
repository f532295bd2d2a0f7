import Foundation
import Testing

@testable import KaizenDeploy

struct AnalysisDivergenceTests {
    func check(
        _ candidate: [String: UInt64], _ stable: [String: UInt64], metric: DivergenceMetric = .jsDistance
    ) -> CheckResult {
        StepAnalysis(thresholds: AnalysisThresholds(divergenceMetric: metric)).predictionDivergenceCheck(
            candidate: .window(requests: 1000, classes: candidate), stable: .window(requests: 1000, classes: stable)
        )
    }

    @Test func identicalProportionsAreZeroApart() {
        let result = check(["cat": 300, "dog": 200], ["cat": 600, "dog": 400])
        #expect(result.outcome == .pass)
        #expect(result.figures["js_distance"] == 0)
        #expect(result.figures["psi"] == 0)
        #expect(result.figures["candidate_count"] == 500)
        #expect(result.figures["stable_count"] == 1000)
        #expect(result.reason == "predictions agree: Jensen-Shannon distance 0 is within the 0.1 allowed (PSI 0)")
    }

    @Test func disjointLabelsAreAsFarApartAsCanBe() {
        let result = check(["spam": 400], ["ham": 400])
        #expect(result.outcome == .fail)
        #expect(result.figures["js_distance"] == 1)
        #expect(result.reason.hasPrefix("predictions diverge: Jensen-Shannon distance 1 is above the 0.1 allowed"))
        #expect(check(["spam": 400], ["ham": 400], metric: .psi).outcome == .fail)
    }

    @Test func eachMetricIsJudgedByItsOwnThreshold() throws {
        // JS distance 0.128 (above 0.1), PSI 0.091 (within 0.2).
        let candidate: [String: UInt64] = ["a": 600, "b": 400]
        let stable: [String: UInt64] = ["a": 450, "b": 550]
        let byJS = check(candidate, stable)
        #expect(byJS.outcome == .fail)
        #expect(abs(try #require(byJS.figures["js_distance"]) - 0.12780201415303116) < 1e-12)
        let byPSI = check(candidate, stable, metric: .psi)
        #expect(byPSI.outcome == .pass)
        #expect(
            byPSI.reason == "predictions agree: PSI 0.0909 is within the 0.2 allowed (Jensen-Shannon distance 0.128)")
    }

    @Test func theThresholdItselfPasses() throws {
        let candidate = VersionStats.window(requests: 1000, classes: ["a": 600, "b": 400])
        let stable = VersionStats.window(requests: 1000, classes: ["a": 450, "b": 550])
        let js = try #require(
            StepAnalysis().predictionDivergenceCheck(candidate: candidate, stable: stable).figures["js_distance"])
        let atLimit = StepAnalysis(thresholds: AnalysisThresholds(maximumJSDistance: js))
        #expect(atLimit.predictionDivergenceCheck(candidate: candidate, stable: stable).outcome == .pass)
        let underLimit = StepAnalysis(thresholds: AnalysisThresholds(maximumJSDistance: js.nextDown))
        #expect(underLimit.predictionDivergenceCheck(candidate: candidate, stable: stable).outcome == .fail)
    }

    @Test func notYetBelowTheMinimumPredictions() {
        let short = check(["a": 100, "b": 99], ["a": 500, "b": 500])
        #expect(short.outcome == .notYet)
        #expect(short.reason == "not enough data: 199 candidate and 1000 stable predictions, 200 needed on each side")
        #expect(check(["a": 100, "b": 100], ["a": 500, "b": 500]).outcome == .pass)
        #expect(check(["a": 500, "b": 500], [:]).outcome == .notYet)
    }

    @Test func noPredictionsOnEitherSidePassOnlyWithEnoughRequests() {
        let analysis = StepAnalysis()
        let served = analysis.predictionDivergenceCheck(
            candidate: .window(requests: 200, classes: [:]), stable: .window(requests: 5000, classes: [:])
        )
        #expect(served.outcome == .pass)
        #expect(served.reason == "no predictions to compare")
        let early = analysis.predictionDivergenceCheck(
            candidate: .window(requests: 199, classes: [:]), stable: .window(requests: 5000, classes: [:])
        )
        #expect(early.outcome == .notYet)
        #expect(early.reason == "not enough data: 199 candidate and 5000 stable requests, 200 needed on each side")
    }

    @Test func binsAndClassesAlignCellByCell() throws {
        var regressor = [UInt64](repeating: 0, count: PredictionSketch.edges.count + 1)
        regressor[20] = 500
        let numeric = PredictionSketch(bins: regressor)
        // A shorter bin list is padded with empty bins; the same counts are no distance at all.
        let truncated = PredictionSketch(bins: Array(regressor[0...20]))
        let same = try #require(PredictionDistance(candidate: numeric, stable: truncated))
        #expect(same.jsDistance == 0)
        #expect(same.psi == 0)
        // A classifier against a regressor shares no cell.
        let apart = try #require(PredictionDistance(candidate: PredictionSketch(classes: ["a": 500]), stable: numeric))
        #expect(apart.jsDistance == 1)
        // PSI with the 1e-4 floor for empty cells: 2 × (1 − 1e-4) × ln(1 / 1e-4).
        #expect(abs(apart.psi - 2 * (1 - 1e-4) * log(1e4)) < 1e-12)
        #expect(PredictionDistance(candidate: PredictionSketch(), stable: numeric) == nil)
    }
}
