import KaizenCore
import Testing

@testable import KaizenDeploy

struct AnalysisStepTests {
    @Test func aHealthyCandidatePassesEveryCheckInOrder() {
        let verdict = StepAnalysis().verdict(candidate: .window(requests: 1000), stable: .window(requests: 4000))
        #expect(verdict.checks.map(\.name) == ["error_rate", "latency_p99", "prediction_divergence"])
        #expect(verdict.checks.allSatisfy { $0.outcome == .pass })
        #expect(verdict.outcome == .pass)
    }

    @Test func oneFailingCheckFailsTheStep() {
        let slow = StepAnalysis().verdict(
            candidate: .window(requests: 1000, latencyBucket: 8), stable: .window(requests: 4000)
        )
        #expect(slow.check(.latencyP99)?.outcome == .fail)
        #expect(slow.outcome == .fail)
        // A failure is final even while another check still waits for data.
        let failingEarly = StepAnalysis().verdict(
            candidate: .window(requests: 1000, serverErrors: 100, classes: ["a": 10]), stable: .window(requests: 4000)
        )
        #expect(failingEarly.check(.predictionDivergence)?.outcome == .notYet)
        #expect(failingEarly.outcome == .fail)
    }

    @Test func waitingForDataIsNotYet() {
        let verdict = StepAnalysis().verdict(candidate: .window(requests: 150), stable: .window(requests: 4000))
        #expect(verdict.checks.allSatisfy { $0.outcome == .notYet })
        #expect(verdict.outcome == .notYet)
        #expect(verdict.checks.allSatisfy { $0.reason.hasPrefix("not enough data: 150 candidate") })
    }

    /// Zero data on either side, whatever the thresholds (even minimums of 0), never yields a passing check.
    @Test func noCheckEverPassesWithZeroData() {
        let loose = AnalysisThresholds(
            minimumRequests: 0, alpha: 0, maximumErrorRateIncrease: 1, maximumErrorRate: 2, maximumLatencyRatio: 1e9,
            latencyFloor: 1e9, minimumPredictions: 0, maximumJSDistance: 1, maximumPSI: 1e9,
            minimumShadowComparisons: 0, minimumAgreement: 0
        )
        let full = VersionStats.window(requests: 10_000, shadowCompared: 10_000, shadowAgreed: 10_000)
        let pairs = [(VersionStats(), VersionStats()), (VersionStats(), full), (full, VersionStats())]
        for thresholds in [AnalysisThresholds(), loose] {
            for (candidate, stable) in pairs {
                let verdict = StepAnalysis(thresholds: thresholds).verdict(
                    candidate: candidate, stable: stable, requiringShadowAgreement: true
                )
                #expect(verdict.checks.count == 4)
                #expect(verdict.outcome == .notYet)
                for check in verdict.checks where check.name != AnalysisCheck.shadowAgreement.rawValue {
                    #expect(check.outcome == .notYet, "\(check.name): \(check.reason)")
                }
            }
        }
        // The shadow check judges the candidate alone: it waits for comparisons, whatever stable has.
        let noComparisons = StepAnalysis(thresholds: loose).verdict(
            candidate: .window(requests: 10_000), stable: .window(requests: 10_000), requiringShadowAgreement: true
        )
        #expect(noComparisons.check(.shadowAgreement)?.outcome == .notYet)
    }

    /// Random windows: figures are finite and in range, and a check passes only with enough data on both sides.
    @Test func randomWindowsKeepTheInvariants() throws {
        let seed = try SplitMix64.seed(default: 0x6361_6E61_7279)
        var generator = SplitMix64(seed: seed)
        let thresholds = AnalysisThresholds()
        func random(_ upTo: UInt64) -> UInt64 { generator.next() % (upTo + 1) }
        func window() -> VersionStats {
            let requests = random(3) == 0 ? random(250) : random(1_000_000)
            var latency = [UInt64](repeating: 0, count: VersionStats.latencyBounds.count + 1)
            for _ in 0..<4 { latency[Int(random(UInt64(latency.count - 1)))] += requests / 4 }
            let labels = ["a", "b", "c", "d"].filter { _ in random(1) == 0 }
            let classes = Dictionary(uniqueKeysWithValues: labels.map { ($0, random(requests)) })
            let compared = random(requests)
            return VersionStats(
                requests: requests, serverErrors: random(requests / UInt64(1 + random(50))), latency: latency,
                predictions: PredictionSketch(classes: classes), shadowCompared: compared,
                shadowAgreed: random(compared)
            )
        }
        for round in 0..<500 {
            let candidate = window()
            let stable = window()
            let verdict = StepAnalysis(thresholds: thresholds).verdict(candidate: candidate, stable: stable)
            let context = "seed \(seed), round \(round): \(candidate) against \(stable)"
            for check in verdict.checks {
                #expect(check.figures.values.allSatisfy { $0.isFinite }, "\(check.name) \(check.figures), \(context)")
                #expect(!check.reason.isEmpty)
                guard check.outcome == .pass else { continue }
                switch check.name {
                case AnalysisCheck.shadowAgreement.rawValue:
                    #expect(candidate.shadowCompared >= thresholds.minimumShadowComparisons, "\(context)")
                default:
                    #expect(candidate.requests >= thresholds.minimumRequests, "\(check.name), \(context)")
                    #expect(stable.requests >= thresholds.minimumRequests, "\(check.name), \(context)")
                }
            }
            if let figures = verdict.check(.predictionDivergence)?.figures, let js = figures["js_distance"] {
                #expect((0...1).contains(js), "\(context)")
                #expect(try #require(figures["psi"]) >= 0, "\(context)")
            }
            if let p = verdict.check(.errorRate)?.figures["p_value"] {
                #expect((0...1).contains(p), "\(context)")
            }
        }
    }
}
