/// The figures a report shows for one column of one data set.
public struct ColumnSummary: Sendable {
    public var rows: Int
    public var missing: Int
    public var distinct: Int
    /// Numbers only.
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    public var standardDeviation: Double?
    /// The 5%, 25%, 50%, 75% and 95% quantiles (numbers only).
    public var quantiles: [Double]?
    /// The most frequent categories with their counts, most frequent first (categories only, at most 10).
    public var topCategories: [(CategoryKey, Int)]?

    public init(_ profile: ColumnProfile) {
        rows = profile.rows
        missing = profile.missing
        distinct = profile.sample.distinctCount
        switch profile.sample {
        case .numbers(let distribution) where profile.kind == .numerical && distribution.total > 0:
            minimum = distribution.minimum
            maximum = distribution.maximum
            mean = distribution.mean
            standardDeviation = distribution.standardDeviation
            quantiles = distribution.quantiles([0.05, 0.25, 0.5, 0.75, 0.95])
        default:
            let counts = profile.sample.categories.counts
            topCategories = Array(
                counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .prefix(10).map { ($0.key, $0.value) })
        }
    }
}

/// What is wrong with current data next to its reference, beyond drift.
public struct DataQuality: Sendable {
    /// Share of current rows with no value.
    public var missingShare: Double
    /// Share of the reference's rows with no value.
    public var referenceMissingShare: Double
    /// Share of current values below the reference's minimum or above its maximum (numbers).
    public var outOfRangeShare: Double?
    /// Share of current values in categories the reference never had (categories).
    public var newCategoryShare: Double?
    /// Up to 10 of those categories.
    public var newCategories: [CategoryKey]?
    /// Whether the current data holds a single value.
    public var constant: Bool

    public init(reference: ColumnProfile, current: ColumnProfile) {
        missingShare = current.rows == 0 ? 0 : Double(current.missing) / Double(current.rows)
        referenceMissingShare = reference.rows == 0 ? 0 : Double(reference.missing) / Double(reference.rows)
        constant = current.sample.distinctCount == 1
        switch (reference.sample, current.sample) {
        case (.numbers(let r), .numbers(let c)) where current.kind == .numerical:
            guard let low = r.minimum, let high = r.maximum, c.total > 0 else { break }
            var outside = 0
            for (value, count) in zip(c.values, c.counts) where value < low || value > high { outside += count }
            outOfRangeShare = Double(outside) / Double(c.total)
        default:
            let known = reference.sample.categories.counts
            let counts = current.sample.categories.counts
            guard !counts.isEmpty else { break }
            let unseen = counts.filter { known[$0.key] == nil }
            newCategoryShare = Double(unseen.values.reduce(0, +)) / Double(current.sample.categories.total)
            newCategories = Array(unseen.keys.sorted().prefix(10))
        }
    }
}
