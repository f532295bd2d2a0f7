import Testing

@testable import KaizenDeploy

struct AnalysisErrorRateTests {
    let analysis = StepAnalysis()

    func check(
        _ candidate: VersionStats, _ stable: VersionStats, _ thresholds: AnalysisThresholds? = nil
    )
        -> CheckResult
    {
        StepAnalysis(thresholds: thresholds ?? AnalysisThresholds()).errorRateCheck(
            candidate: candidate, stable: stable)
    }

    @Test func notYetBelowTheMinimumOnEitherSide() {
        let short = check(.window(requests: 199, serverErrors: 199), .window(requests: 5000))
        #expect(short.outcome == .notYet)
        #expect(short.reason == "not enough data: 199 candidate and 5000 stable requests, 200 needed on each side")
        #expect(short.figures == ["candidate_requests": 199, "stable_requests": 5000])
        #expect(check(.window(requests: 5000), .window(requests: 199)).outcome == .notYet)
        #expect(check(.window(requests: 200), .window(requests: 200)).outcome == .pass)
        let custom = AnalysisThresholds(minimumRequests: 1000)
        #expect(check(.window(requests: 999), .window(requests: 5000), custom).outcome == .notYet)
        #expect(check(.window(requests: 1000), .window(requests: 5000), custom).outcome == .pass)
    }

    @Test func noErrorsOnEitherSidePassesWithPOne() {
        let result = check(.window(requests: 1000), .window(requests: 1000))
        #expect(result.outcome == .pass)
        #expect(result.figures["p_value"] == 1)
        #expect(result.figures["z"] == 0)
        #expect(result.figures["candidate_rate"] == 0)
        #expect(result.reason == "candidate error rate 0.00% against stable's 0.00%: no significant increase (p = 1)")
    }

    @Test func everyRequestFailedIsFiniteAndFails() {
        let result = check(.window(requests: 300, serverErrors: 300), .window(requests: 300, serverErrors: 300))
        #expect(result.outcome == .fail)
        #expect(result.figures.values.allSatisfy { $0.isFinite })
        #expect(result.figures["p_value"] == 1)
    }

    @Test func clientErrorsCountInTheComparisonButNotTheCeiling() {
        // A candidate that refuses a fifth of the inputs (400s) while the stable version refuses none.
        let refusing = check(.window(requests: 1000, clientErrors: 200), .window(requests: 1000))
        #expect(refusing.outcome == .fail)
        #expect(refusing.figures["candidate_rate"] == 0.2)
        // Callers' mistakes that both versions see alike are no reason to fail, even above the ceiling.
        let shared = check(.window(requests: 1000, clientErrors: 100), .window(requests: 1000, clientErrors: 100))
        #expect(shared.outcome == .pass)
    }

    @Test func theCeilingFailsAtItsValueWhateverStableDoes() {
        let atCeiling = check(.window(requests: 1000, serverErrors: 50), .window(requests: 1000, serverErrors: 80))
        #expect(atCeiling.outcome == .fail)
        #expect(
            atCeiling.reason
                == "candidate error rate 5.00% against stable's 8.00%: server errors 5.00% at or above the 5.00% ceiling"
        )
        let below = check(.window(requests: 1000, serverErrors: 49), .window(requests: 1000, serverErrors: 80))
        #expect(below.outcome == .pass)
    }

    @Test func aSignificantIncreaseFailsOnlyWhenLargerThanAllowed() {
        let candidate = VersionStats.window(requests: 10_000, serverErrors: 300)
        let stable = VersionStats.window(requests: 10_000, serverErrors: 100)
        let large = check(candidate, stable)
        #expect(large.outcome == .fail)
        #expect(large.reason.hasPrefix("candidate error rate 3.00% against stable's 1.00%: up 2.00 points"))
        #expect(check(candidate, stable, AnalysisThresholds(maximumErrorRateIncrease: 0.021)).outcome == .pass)
        #expect(check(candidate, stable, AnalysisThresholds(maximumErrorRateIncrease: 0.019)).outcome == .fail)
    }

    @Test func aTinyIncreaseAtHugeVolumePasses() throws {
        let result = check(
            .window(requests: 20_000_000, serverErrors: 210_000), .window(requests: 20_000_000, serverErrors: 200_000)
        )
        #expect(try #require(result.figures["p_value"]) < 1e-50)
        #expect(result.outcome == .pass)
        #expect(result.reason.contains("significant (p = 7.8e-56) but within the 1.00 points allowed"))
    }

    @Test func pValueAtAlphaIsNotSignificant() throws {
        let candidate = VersionStats.window(requests: 2000, serverErrors: 60)
        let stable = VersionStats.window(requests: 2000, serverErrors: 20)
        let p = try #require(check(candidate, stable).figures["p_value"])
        #expect(check(candidate, stable, AnalysisThresholds(alpha: p)).outcome == .pass)
        #expect(check(candidate, stable, AnalysisThresholds(alpha: p.nextUp)).outcome == .fail)
    }

    @Test func aBetterCandidatePasses() throws {
        let result = check(.window(requests: 4000, serverErrors: 4), .window(requests: 4000, serverErrors: 40))
        #expect(result.outcome == .pass)
        #expect(try #require(result.figures["z"]) < 0)
    }

    @Test func moreErrorsThanRequestsCountAsAll() {
        let result = check(.window(requests: 200, serverErrors: 900), .window(requests: 200))
        #expect(result.figures["candidate_rate"] == 1)
        #expect(result.outcome == .fail)
    }
}
