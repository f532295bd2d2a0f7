import Dispatch

/// A column's values reduced to what drift and data-quality checks read: counts, and the whole distribution of its
/// values (distinct values with counts, or category counts), so that a profile can stand in for its data.
public struct ColumnProfile: Sendable {
    public var name: String
    /// How the file typed the column.
    public var storage: DataColumn.StorageKind
    /// The kind the drift methods treat it as, inferred from this data.
    public var kind: ColumnKind
    /// Rows in the data.
    public var rows: Int
    /// Rows with no value.
    public var missing: Int
    /// Rows holding an infinity (left out of the distribution, as drift methods leave them out).
    public var infinite: Int
    /// The values that drift methods compare.
    public var sample: ColumnSample

    /// Profiles a column; numbers are sorted in the column's own storage when the caller hands over its only
    /// reference.
    public init(_ column: consuming DataColumn) {
        name = column.name
        storage = column.storageKind
        rows = column.count
        var numbers: [Double]? = nil
        if case .numbers(let values, _, _) = column.values { numbers = values }
        if let values = numbers.take() {
            // The numbers move out of the column, so that sorting them in place copies nothing.
            column.values = .labels(codes: [], labels: [])
            var missing = 0
            var infinite = 0
            for value in values where !value.isFinite {
                if value.isNaN { missing += 1 } else { infinite += 1 }
            }
            self.missing = missing
            self.infinite = infinite
            sample = .numbers(NumericDistribution(sorting: values))
        } else {
            missing = column.missingCount
            infinite = 0
            var counts = CategoryCounts(counts: [:])
            if case .labels(let codes, let labels) = column.values {
                counts = CategoryCounts(codes: codes, labels: labels)
            }
            sample = .categories(counts)
        }
        kind = ColumnKind.inferred(storage: storage, distinct: sample.distinctCount, present: rows - missing)
    }

    /// How many values the sample holds (rows less missing values and infinities).
    public var valueCount: Int { rows - missing - infinite }
}

/// The values a drift method compares: numbers as a distribution, or category counts.
public enum ColumnSample: Sendable {
    case numbers(NumericDistribution)
    case categories(CategoryCounts)

    /// The sample as category counts (numbers counted value by value).
    public var categories: CategoryCounts {
        switch self {
        case .numbers(let distribution): CategoryCounts(distribution)
        case .categories(let counts): counts
        }
    }

    /// The number of distinct values.
    public var distinctCount: Int {
        switch self {
        case .numbers(let distribution): distribution.distinctCount
        case .categories(let counts): counts.counts.count
        }
    }
}

/// Every column of a data set, profiled.
public struct DatasetProfile: Sendable {
    public var columns: [ColumnProfile]
    public var rows: Int

    /// Profiles every column of `table`, columns in parallel; each column's values are let go as soon as its
    /// profile is made, so the table and its profile are never both whole in memory.
    public init(_ table: consuming DataTable) {
        rows = table.rowCount
        let count = table.columns.count
        let pending = ResultSlots<DataColumn>(count: count)
        for (index, column) in table.columns.enumerated() { pending.set(index, column) }
        table.columns = []
        let results = ResultSlots<ColumnProfile>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, ColumnProfile(pending.take(index)))
        }
        columns = results.values()
    }

    /// The column named `name`.
    public subscript(name: String) -> ColumnProfile? {
        columns.first { $0.name == name }
    }

    /// The profile without the column named `name` (when there is one).
    public func without(_ name: String?) -> DatasetProfile {
        guard let name else { return self }
        var profile = self
        profile.columns.removeAll { $0.name == name }
        return profile
    }
}

/// Slots that parallel iterations each fill once, at their own index.
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Each index is written by exactly one iteration, and read only after all have finished.
    func set(_ index: Int, _ value: Value) {
        slots[index] = value
    }

    /// Moves the value out of its slot; each index is taken by exactly one iteration.
    func take(_ index: Int) -> Value {
        let value = slots[index]!
        slots[index] = nil
        return value
    }

    func values() -> [Value] {
        slots.map { $0! }
    }
}
