#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Equal-width bins over a range, placed and filled as NumPy's `histogram` places and fills them, so that binned
/// drift scores are the reference tools' to the last bit that matters.
struct HistogramBins: Sendable {
    /// The bin edges: `count + 1` of them, the last bin closed on the right.
    let edges: [Double]
    let first: Double
    let last: Double

    var count: Int { edges.count - 1 }

    /// Sturges' rule (⌈range ÷ (range / (log₂ n + 1))⌉ bins) over a sample of `size` values from `minimum` to
    /// `maximum`, as `numpy.histogram_bin_edges(bins="sturges")` computes it; integer samples get bins at least 1
    /// wide, as NumPy gives them.
    init(sturgesFrom minimum: Double, to maximum: Double, size: Int, integral: Bool) {
        var first = minimum
        var last = maximum
        if first == last {
            first -= 0.5
            last += 0.5
        }
        var width = (maximum - minimum) / (log2(Double(size)) + 1.0)
        var bins = 1
        if width != 0 {
            if integral && width < 1 { width = 1 }
            bins = Int(((last - first) / width).rounded(.up))
        }
        self.init(first: first, last: last, bins: max(bins, 1))
    }

    /// `bins` equal bins from `first` to `last` (`numpy.linspace` edges); a range of one value is widened by 0.5
    /// each way, as NumPy widens it.
    init(first: Double, last: Double, bins: Int) {
        var first = first
        var last = last
        if first == last {
            first -= 0.5
            last += 0.5
        }
        self.first = first
        self.last = last
        let delta = last - first
        let step = delta / Double(bins)
        var edges = [Double](repeating: 0, count: bins + 1)
        for index in 0..<bins {
            edges[index] = step == 0 ? Double(index) / Double(bins) * delta + first : Double(index) * step + first
        }
        edges[bins] = last
        self.edges = edges
    }

    /// How many of a distribution's values fall in each bin. The values are in order, so the bin only moves
    /// right: each value is in the bin whose left edge is at or below it and whose right edge is above it (the last
    /// bin's included), where NumPy's placement (an index computed from the range, then moved by one when an edge
    /// says so) puts it; values outside the range are not counted.
    func counts(_ distribution: NumericDistribution) -> [Double] {
        var counts = [Double](repeating: 0, count: count)
        var bin = 0
        let last = count - 1
        for (value, occurrences) in zip(distribution.values, distribution.counts) {
            guard value >= first, value <= self.last else { continue }
            while bin < last && value >= edges[bin + 1] { bin += 1 }
            counts[bin] += Double(occurrences)
        }
        return counts
    }

    /// `numpy.histogram(..., density=True)`: counts divided by the total and by each bin's width.
    func densities(_ distribution: NumericDistribution) -> [Double] {
        let counts = counts(distribution)
        let total = counts.reduce(0, +)
        return counts.indices.map { counts[$0] / (edges[$0 + 1] - edges[$0]) / total }
    }
}
