import Testing

@testable import KaizenDeploy

struct AnalysisLatencyTests {
    func stats(_ buckets: [Int: UInt64]) -> VersionStats {
        var latency = [UInt64](repeating: 0, count: VersionStats.latencyBounds.count + 1)
        for (bucket, count) in buckets { latency[bucket] = count }
        return VersionStats(requests: latency.reduce(0, +), latency: latency)
    }

    func close(_ actual: Double?, _ expected: Double) -> Bool {
        guard let actual else { return false }
        return abs(actual - expected) <= 1e-12 * expected
    }

    @Test func p99InterpolatesInsideItsBucket() {
        // 90 in (0.5 ms, 1 ms], 10 in (1 ms, 2 ms]: rank 99 is 9 of the 10 into the second bucket.
        #expect(close(stats([1: 90, 2: 10]).latencyQuantile(0.99), 0.0019))
        // The first bucket starts at 0.
        #expect(close(stats([0: 100]).latencyQuantile(0.99), 0.000495))
        // A rank on a bucket's upper edge is that edge.
        #expect(close(stats([2: 99, 5: 1]).latencyQuantile(0.99), 0.002))
    }

    @Test func theUnboundedBucketRunsToTwiceTheLastBound() {
        #expect(close(stats([14: 100]).latencyQuantile(0.99), 19.9))
        #expect(close(stats([13: 98, 14: 2]).latencyQuantile(0.99), 15))
    }

    @Test func anEmptyOrMisshapenHistogramNeverTraps() {
        #expect(VersionStats().latencyQuantile(0.99) == nil)
        let long = VersionStats(requests: 10, latency: [UInt64](repeating: 1, count: 20))
        // Buckets past the unbounded one are read as more of it.
        #expect(close(long.latencyQuantile(0.99), 18))
        let short = VersionStats(requests: 10, latency: [5, 5])
        #expect(short.latencyQuantile(0.99) != nil)
    }

    @Test func notYetBelowTheMinimum() {
        let analysis = StepAnalysis()
        let result = analysis.latencyCheck(candidate: stats([4: 199]), stable: stats([4: 1000]))
        #expect(result.outcome == .notYet)
        #expect(result.reason == "not enough data: 199 candidate and 1000 stable latencies, 200 needed on each side")
        #expect(analysis.latencyCheck(candidate: stats([4: 200]), stable: stats([4: 200])).outcome == .pass)
    }

    @Test func theRatioFailsOnlyAboveItsLimit() throws {
        // (5 ms, 10 ms] against (2 ms, 5 ms]: p99s 9.95 ms and 4.97 ms, a ratio of about 2.
        let candidate = stats([4: 1000])
        let stable = stats([3: 1000])
        let result = StepAnalysis().latencyCheck(candidate: candidate, stable: stable)
        #expect(result.outcome == .fail)
        #expect(result.reason == "candidate p99 9.95 ms is 2.00x stable's 4.97 ms: more than the 1.50x allowed")
        let ratio = try #require(result.figures["ratio"])
        let atLimit = StepAnalysis(thresholds: AnalysisThresholds(maximumLatencyRatio: ratio))
        #expect(atLimit.latencyCheck(candidate: candidate, stable: stable).outcome == .pass)
        let underLimit = StepAnalysis(thresholds: AnalysisThresholds(maximumLatencyRatio: ratio.nextDown))
        #expect(underLimit.latencyCheck(candidate: candidate, stable: stable).outcome == .fail)
    }

    @Test func aFastCandidateNeverFailsUnderTheFloor() throws {
        // (2 ms, 5 ms] against (0, 0.5 ms]: ten times slower, but a p99 of 4.97 ms.
        let candidate = stats([3: 1000])
        let stable = stats([0: 1000])
        let result = StepAnalysis().latencyCheck(candidate: candidate, stable: stable)
        #expect(result.outcome == .pass)
        #expect(result.reason.hasSuffix("above the ratio allowed, but under the 5 ms floor"))
        let p99 = try #require(result.figures["candidate_p99"])
        let atFloor = StepAnalysis(thresholds: AnalysisThresholds(latencyFloor: p99))
        #expect(atFloor.latencyCheck(candidate: candidate, stable: stable).outcome == .pass)
        let underFloor = StepAnalysis(thresholds: AnalysisThresholds(latencyFloor: p99.nextDown))
        #expect(underFloor.latencyCheck(candidate: candidate, stable: stable).outcome == .fail)
    }
}
