import Foundation
import KaizenCore
import Testing

@testable import KaizenDeploy

struct AnalysisDivergenceTests {
    func check(
        _ candidate: [String: UInt64], _ stable: [String: UInt64], metric: DivergenceMetric = .jsDistance,
        minimum: UInt64 = 200, alpha: Double = 0.01
    ) -> CheckResult {
        let thresholds = AnalysisThresholds(alpha: alpha, minimumPredictions: minimum, divergenceMetric: metric)
        return StepAnalysis(thresholds: thresholds).predictionDivergenceCheck(
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

    @Test func aDistanceOverTheLimitByChanceIsNotADivergence() throws {
        // 30 against 44 of 100: Jensen-Shannon 0.123, over the 0.1 allowed; G = 4.22, p = 0.040 (SciPy).
        let result = check(["0": 30, "1": 70], ["0": 44, "1": 56], minimum: 100)
        #expect(result.outcome == .pass)
        #expect(abs(try #require(result.figures["divergence_p_value"]) - 0.03988) < 1e-4)
        #expect(
            result.reason
                == "predictions agree within sampling noise: Jensen-Shannon distance 0.123 is above the 0.1 allowed, "
                + "but a G-test gives p 0.0399, not below alpha 0.01 (PSI 0.0849)")
        // The same shares over ten times the predictions are a divergence.
        let larger = check(["0": 300, "1": 700], ["0": 440, "1": 560])
        #expect(larger.outcome == .fail)
        #expect(larger.reason.hasSuffix("; G-test p 8.1e-11)"))
        // A looser alpha lets the small sample fail.
        #expect(check(["0": 30, "1": 70], ["0": 44, "1": 56], minimum: 100, alpha: 0.05).outcome == .fail)
    }

    /// Two versions of one model, 100 predictions a side per step: the distance alone would stop about one step in
    /// ten; with the G-test, about alpha's share. A real shift of the positive rate is still caught nearly always.
    @Test func chanceRarelyFailsAStepAndARealShiftIsCaught() throws {
        let seed = try SplitMix64.seed(default: 0x5EED_D1CE)
        var random = SplitMix64(seed: seed)
        func sample(_ count: Int, positiveShare: Double) -> [String: UInt64] {
            let positives = (0..<count).filter { _ in Double.random(in: 0..<1, using: &random) < positiveShare }.count
            return ["0": UInt64(count - positives), "1": UInt64(positives)]
        }
        let rounds = 2000
        var overTheLimit = 0
        var failed = 0
        for _ in 0..<rounds {
            let result = check(sample(100, positiveShare: 0.37), sample(100, positiveShare: 0.37), minimum: 100)
            if (result.figures["js_distance"] ?? 0) > 0.1 { overTheLimit += 1 }
            if result.outcome == .fail { failed += 1 }
        }
        #expect(overTheLimit > rounds / 20, "seed \(seed): \(overTheLimit) of \(rounds) over the limit")
        #expect(failed <= rounds / 50, "seed \(seed): \(failed) of \(rounds) identical pairs failed")
        var caught = 0
        for _ in 0..<200 where check(sample(200, positiveShare: 0.35), sample(200, positiveShare: 0.6)).outcome == .fail
        {
            caught += 1
        }
        #expect(caught >= 190, "seed \(seed): \(caught) of 200 shifts caught")
    }
}
