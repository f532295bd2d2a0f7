import Testing

@testable import KaizenDeploy

struct ReportMergeTests {
    static func latency(_ counts: [Int: UInt64]) -> [UInt64] {
        var buckets = [UInt64](repeating: 0, count: VersionStats.latencyBounds.count + 1)
        for (index, count) in counts { buckets[index] = count }
        return buckets
    }

    @Test func addingMergesEveryFieldElementwise() {
        var total = VersionStats(
            requests: 10, clientErrors: 1, serverErrors: 2, latency: Self.latency([3: 7, 14: 1]),
            predictions: PredictionSketch(classes: ["cat": 6, "dog": 4]), shadowCompared: 5, shadowAgreed: 4)
        total.add(
            VersionStats(
                requests: 5, clientErrors: 0, serverErrors: 1, latency: Self.latency([3: 2, 4: 3]),
                predictions: PredictionSketch(classes: ["dog": 1, "bird": 4]), shadowCompared: 2, shadowAgreed: 2))
        #expect(total.requests == 15)
        #expect(total.clientErrors == 1)
        #expect(total.serverErrors == 3)
        #expect(total.latency == Self.latency([3: 9, 4: 3, 14: 1]))
        #expect(total.predictions.classes == ["cat": 6, "dog": 5, "bird": 4])
        #expect(total.predictions.bins == [])
        #expect(total.shadowCompared == 7)
        #expect(total.shadowAgreed == 6)
    }

    @Test func histogramsOfDifferentLengthsAddOverTheLongest() {
        var a = VersionStats(latency: [1, 2], predictions: PredictionSketch(bins: [1, 2]))
        a.add(VersionStats(latency: [1, 1, 1], predictions: PredictionSketch(bins: [1, 1, 1])))
        #expect(a.latency == [2, 3, 1])
        #expect(a.predictions.bins == [2, 3, 1])

        var empty = VersionStats(predictions: PredictionSketch(bins: []))
        empty.add(VersionStats(predictions: PredictionSketch(bins: [0, 4, 0])))
        #expect(empty.predictions.bins == [0, 4, 0])
        empty.add(VersionStats())
        #expect(empty.predictions.bins == [0, 4, 0])
    }

    @Test func addingZeroChangesNothing() {
        let stats = VersionStats(
            requests: 3, latency: Self.latency([0: 3]),
            predictions: PredictionSketch(bins: [UInt64](repeating: 1, count: 42)))
        var sum = stats
        sum.add(VersionStats())
        #expect(sum == stats)
        var other = VersionStats()
        other.add(stats)
        #expect(other == stats)
    }

    @Test func sumsSaturateInsteadOfTrapping() {
        var stats = VersionStats(
            requests: .max - 1, latency: [.max], predictions: PredictionSketch(classes: ["a": .max]))
        stats.add(VersionStats(requests: 5, latency: [1], predictions: PredictionSketch(classes: ["a": 1])))
        #expect(stats.requests == .max)
        #expect(stats.latency == [.max])
        #expect(stats.predictions.classes["a"] == .max)
    }
}
