extension VersionStats {
    /// How many latencies the histogram holds (the sum of its buckets), a `Double`, exact below 2^53, so that
    /// counts from a misbehaving replica cannot overflow.
    var latencyCount: Double {
        latency.reduce(0) { $0 + Double($1) }
    }

    /// A quantile of latency in seconds, from the histogram, or nil when it is empty.
    ///
    /// The bucket is the first whose cumulative count reaches `quantile` × total; the value is interpolated linearly
    /// inside it (as Prometheus's `histogram_quantile` does), the first bucket starting at 0. The unbounded last bucket
    /// is read as running from the last bound to twice it, (10 s, 20 s]: a quantile there is a rough figure, but an
    /// order of magnitude above any latency a rollout should accept.
    func latencyQuantile(_ quantile: Double) -> Double? {
        let bounds = Self.latencyBounds
        let rank = quantile * latencyCount
        var cumulative = 0.0
        for (index, count) in latency.enumerated() where count > 0 {
            let count = Double(count)
            if cumulative + count >= rank {
                let lower = index == 0 ? 0 : bounds[min(index, bounds.count) - 1]
                let upper = index < bounds.count ? bounds[index] : 2 * bounds[bounds.count - 1]
                return lower + (upper - lower) * (rank - cumulative) / count
            }
            cumulative += count
        }
        return nil
    }
}
