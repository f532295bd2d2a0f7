import Dispatch

/// Drift and data quality of current data against a reference, column by column, and for the data set.
public struct DriftReport: Sendable {
    /// One column's comparison.
    public struct Column: Sendable {
        public var name: String
        public var kind: ColumnKind
        /// The method used; nil when the column could not be compared (`note` says why).
        public var method: DriftMethod?
        /// The method's score: a p-value or a distance.
        public var score: Double?
        public var threshold: Double?
        public var drifted: Bool
        /// Why the column was not compared, in words.
        public var note: String?
        public var reference: ColumnSummary?
        public var current: ColumnSummary?
        public var quality: DataQuality?
        /// Reference and current shares for drawing the column.
        public var histogram: ColumnHistogram?
    }

    public var columns: [Column]
    public var referenceRows: Int
    public var currentRows: Int
    public var driftShare: Double
    /// Columns of the reference that the current data lacks.
    public var missingFromCurrent: [String]
    /// Columns of the current data that the reference lacks (not compared).
    public var notInReference: [String]

    /// Columns that were compared.
    public var comparedCount: Int { columns.count { $0.method != nil } }
    /// Compared columns that drifted.
    public var driftedCount: Int { columns.count { $0.drifted } }
    /// Drifted columns over compared columns (0 when none was compared).
    public var driftedShare: Double { comparedCount == 0 ? 0 : Double(driftedCount) / Double(comparedCount) }
    /// Whether the data set drifted: at least `driftShare` of the compared columns did.
    public var datasetDrift: Bool { comparedCount > 0 && driftedShare >= driftShare }

    /// Compares `current` with `reference`, columns in parallel.
    public init(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = DriftOptions()) {
        var names = current.columns.map(\.name)
        if let chosen = options.columns { names = names.filter(chosen.contains) }
        let referenceNames = Set(reference.columns.map(\.name))
        let currentNames = Set(current.columns.map(\.name))
        missingFromCurrent = reference.columns.map(\.name).filter { !currentNames.contains($0) }
        notInReference = names.filter { !referenceNames.contains($0) }
        let compared = names.filter(referenceNames.contains)
        let results = ResultSlots<Column>(count: compared.count)
        DispatchQueue.concurrentPerform(iterations: compared.count) { index in
            let name = compared[index]
            results.set(index, Self.compare(reference[name]!, current[name]!, options: options))
        }
        columns = results.values()
        referenceRows = reference.rows
        currentRows = current.rows
        driftShare = options.driftShare
    }

    static func compare(_ reference: ColumnProfile, _ current: ColumnProfile, options: DriftOptions) -> Column {
        let kind = current.kind
        var column = Column(
            name: current.name, kind: kind, method: nil, score: nil, threshold: nil, drifted: false, note: nil,
            reference: ColumnSummary(reference), current: ColumnSummary(current),
            quality: DataQuality(reference: reference, current: current), histogram: nil)
        if (reference.storage == .text) == (current.storage == .text) {
            column.histogram = ColumnHistogram(reference: reference, current: current)
        }
        if kind == .text {
            column.note = "text: more than half of the current values are distinct; not compared"
            return column
        }
        if reference.storage == .text && current.storage != .text {
            column.note = "type mismatch: \(current.storage.rawValue) in current data, text in the reference"
            return column
        }
        if reference.storage != .text && current.storage == .text {
            column.note = "type mismatch: text in current data, \(reference.storage.rawValue) in the reference"
            return column
        }
        guard reference.valueCount > 0 else {
            column.note = "the reference has no values in this column"
            return column
        }
        guard current.valueCount > 0 else {
            column.note = "the current data has no values in this column"
            return column
        }
        let distinct: Int
        switch (reference.sample, current.sample) {
        case (.numbers(let r), .numbers(let c)): distinct = Set(r.values).union(c.values).count
        default: distinct = Set(reference.sample.categories.counts.keys).union(current.sample.categories.counts.keys).count
        }
        let method =
            options.method(for: current.name, kind: kind)
            ?? DriftMethod.default(for: kind, referenceCount: reference.valueCount, distinctValues: distinct)
        if !method.applies(to: kind) && options.method(for: current.name, kind: kind) != nil {
            column.note = "\(method.rawValue) does not apply to a \(kind.rawValue) column"
            return column
        }
        let threshold = options.threshold(for: current.name, kind: kind) ?? method.defaultThreshold
        let score = Self.score(method, reference, current, kind: kind)
        column.method = method
        column.score = score
        column.threshold = threshold
        column.drifted = method.drifted(score: score, threshold: threshold)
        return column
    }

    static func score(_ method: DriftMethod, _ reference: ColumnProfile, _ current: ColumnProfile, kind: ColumnKind)
        -> Double
    {
        let integral = reference.storage == .integer && current.storage == .integer
        switch (method, reference.sample, current.sample) {
        case (.ks, .numbers(let r), .numbers(let c)):
            return KolmogorovSmirnov.twoSample(r.sortedSample, c.sortedSample).pValue
        case (.wasserstein, .numbers(let r), .numbers(let c)):
            return DriftStatistics.normedWasserstein(r, c)
        case (.hellinger, .numbers(let r), .numbers(let c)) where kind == .numerical:
            return DriftStatistics.hellinger(r, c, integral: integral)
        case (.hellinger, _, _):
            return DriftStatistics.hellinger(reference.sample.categories, current.sample.categories)
        case (.chisquare, _, _):
            return DriftStatistics.chiSquare(reference.sample.categories, current.sample.categories)
        case (.z, _, _):
            return DriftStatistics.zTest(reference.sample.categories, current.sample.categories)
        case (.jensenshannon, _, _):
            let shares = DriftStatistics.binnedShares(
                reference.sample, current.sample, kind: kind, integral: integral, fillingZeros: false)
            return DriftStatistics.jensenShannon(shares.reference, shares.current)
        case (.psi, _, _):
            let shares = DriftStatistics.binnedShares(
                reference.sample, current.sample, kind: kind, integral: integral, fillingZeros: true)
            return DriftStatistics.populationStability(shares.reference, shares.current)
        case (.klDiv, _, _):
            let shares = DriftStatistics.binnedShares(
                reference.sample, current.sample, kind: kind, integral: integral, fillingZeros: true)
            return DriftStatistics.kullbackLeibler(shares.reference, shares.current)
        default:
            return .nan
        }
    }
}
