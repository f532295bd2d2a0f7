/// A category: a number (categorical numeric columns, booleans as 1 and 0) or a text label. A number and the same
/// number in another column type are the same category, as they are to pandas.
public enum CategoryKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case number(Double)
    case label(String)

    public var description: String {
        switch self {
        case .number(let value):
            value.labelText
        case .label(let text): text
        }
    }

    public static func < (lhs: CategoryKey, rhs: CategoryKey) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): a < b
        case (.label(let a), .label(let b)): a < b
        case (.number, .label): true
        case (.label, .number): false
        }
    }
}

/// How often each category occurs in a sample (missing values left out).
public struct CategoryCounts: Sendable, Equatable {
    /// The counts by category.
    public var counts: [CategoryKey: Int]
    /// The number of values counted.
    public var total: Int

    public init(counts: [CategoryKey: Int]) {
        self.counts = counts
        total = counts.values.reduce(0, +)
    }

    /// The counts of a numeric sample's values.
    public init(_ distribution: NumericDistribution) {
        var counts: [CategoryKey: Int] = [:]
        for (value, count) in zip(distribution.values, distribution.counts) { counts[.number(value)] = count }
        self.init(counts: counts)
    }

    /// The counts of a label column's codes (negative codes are missing).
    public init(codes: [Int32], labels: [String]) {
        var perCode = [Int](repeating: 0, count: labels.count)
        for code in codes where code >= 0 { perCode[Int(code)] += 1 }
        var counts: [CategoryKey: Int] = [:]
        for (label, count) in zip(labels, perCode) where count > 0 { counts[.label(label), default: 0] += count }
        self.init(counts: counts)
    }

    /// Both samples' counts over the categories either has, in ascending order of category.
    static func aligned(
        _ reference: CategoryCounts, _ current: CategoryCounts
    ) -> (
        keys: [CategoryKey], reference: [Double], current: [Double]
    ) {
        let keys = Set(reference.counts.keys).union(current.counts.keys).sorted()
        return (
            keys, keys.map { Double(reference.counts[$0] ?? 0) }, keys.map { Double(current.counts[$0] ?? 0) }
        )
    }
}
