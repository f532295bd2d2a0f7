/// Reference and current shares side by side, for drawing a column: 20 equal bins over both samples' range for
/// numbers, the 12 most frequent categories of either sample (and the rest together) for categories.
public struct ColumnHistogram: Sendable {
    /// For numbers, the bins' `count + 1` edges; empty for categories.
    public var edges: [Double]
    /// For categories, the category of each bar; empty for numbers.
    public var categories: [String]
    /// Each bar's share of the reference's values.
    public var reference: [Double]
    /// Each bar's share of the current values.
    public var current: [Double]

    init(reference: ColumnProfile, current: ColumnProfile) {
        switch (reference.sample, current.sample) {
        case (.numbers(let r), .numbers(let c)) where current.kind == .numerical && r.total > 0 && c.total > 0:
            let bins = HistogramBins(
                first: min(r.values[0], c.values[0]), last: max(r.values.last!, c.values.last!), bins: 20)
            edges = bins.edges
            categories = []
            self.reference = bins.counts(r).map { $0 / Double(r.total) }
            self.current = bins.counts(c).map { $0 / Double(c.total) }
        default:
            let r = reference.sample.categories
            let c = current.sample.categories
            var weights: [CategoryKey: Double] = [:]
            for (key, count) in r.counts { weights[key, default: 0] += Double(count) / Double(max(r.total, 1)) }
            for (key, count) in c.counts { weights[key, default: 0] += Double(count) / Double(max(c.total, 1)) }
            let shown = weights.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .prefix(12).map(\.key)
            edges = []
            categories = shown.map(\.description)
            self.reference = shown.map { Double(r.counts[$0] ?? 0) / Double(max(r.total, 1)) }
            self.current = shown.map { Double(c.counts[$0] ?? 0) / Double(max(c.total, 1)) }
            if weights.count > shown.count {
                categories.append("other")
                self.reference.append(max(0, 1 - self.reference.reduce(0, +)))
                self.current.append(max(0, 1 - self.current.reduce(0, +)))
            }
        }
    }
}
