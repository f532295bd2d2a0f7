extension VersionStats {
    /// Adds another window's or replica's counts to these, field by field.
    ///
    /// Histograms of different lengths (a replica on an older build) add over the longer length, the missing
    /// buckets counting as zero. Sums saturate at `UInt64.max` instead of trapping.
    public mutating func add(_ other: VersionStats) {
        requests = Self.saturatingSum(requests, other.requests)
        clientErrors = Self.saturatingSum(clientErrors, other.clientErrors)
        serverErrors = Self.saturatingSum(serverErrors, other.serverErrors)
        latency = Self.elementwiseSum(latency, other.latency)
        predictions.add(other.predictions)
        shadowCompared = Self.saturatingSum(shadowCompared, other.shadowCompared)
        shadowAgreed = Self.saturatingSum(shadowAgreed, other.shadowAgreed)
    }

    static func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    static func elementwiseSum(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var sum = a.count >= b.count ? a : b
        let shorter = a.count >= b.count ? b : a
        for (index, count) in shorter.enumerated() {
            sum[index] = saturatingSum(sum[index], count)
        }
        return sum
    }
}

extension PredictionSketch {
    /// Adds another sketch's class counts and bins; see `VersionStats.add(_:)`.
    public mutating func add(_ other: PredictionSketch) {
        classes.merge(other.classes) { VersionStats.saturatingSum($0, $1) }
        bins = VersionStats.elementwiseSum(bins, other.bins)
    }
}
