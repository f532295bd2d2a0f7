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

    init(
        columns: [Column], referenceRows: Int, currentRows: Int, driftShare: Double, missingFromCurrent: [String],
        notInReference: [String]
    ) {
        self.columns = columns
        self.referenceRows = referenceRows
        self.currentRows = currentRows
        self.driftShare = driftShare
        self.missingFromCurrent = missingFromCurrent
        self.notInReference = notInReference
    }

    /// Compares `current` with `reference`, columns in parallel.
    public init(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = DriftOptions()) {
        let profiles = current.columns
        self.init(
            reference: reference, currentNames: profiles.map(\.name), currentRows: current.rows, options: options
        ) { profiles[$0] }
    }

    /// Compares a current table with `reference`, columns in parallel; each current column is profiled, compared
    /// and let go in turn, so memory holds the table and no more.
    public init(reference: DatasetProfile, current: consuming DataTable, options: DriftOptions = DriftOptions()) {
        let pending = ResultSlots<DataColumn>(count: current.columns.count)
        let names = current.columns.map(\.name)
        for (index, column) in current.columns.enumerated() { pending.set(index, column) }
        current.columns = []
        self.init(reference: reference, currentNames: names, currentRows: current.rowCount, options: options) {
            ColumnProfile(pending.take($0))
        }
    }

    init(
        reference: DatasetProfile, currentNames: [String], currentRows: Int, options: DriftOptions,
        profile: @Sendable (Int) -> ColumnProfile
    ) {
        var chosen = Array(currentNames.indices)
        if let wanted = options.columns { chosen = chosen.filter { wanted.contains(currentNames[$0]) } }
        let referenceNames = Set(reference.columns.map(\.name))
        let currentSet = Set(currentNames)
        missingFromCurrent = reference.columns.map(\.name).filter { !currentSet.contains($0) }
        notInReference = chosen.map { currentNames[$0] }.filter { !referenceNames.contains($0) }
        let compared = chosen.filter { referenceNames.contains(currentNames[$0]) }
        let results = ResultSlots<Column>(count: compared.count)
        DispatchQueue.concurrentPerform(iterations: compared.count) { index in
            let column = compared[index]
            results.set(index, Self.compare(reference[currentNames[column]]!, profile(column), options: options))
        }
        columns = results.values()
        referenceRows = reference.rows
        self.currentRows = currentRows
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
        // The default method only asks whether there are more than 5 distinct values.
        case (.numbers(let r), .numbers(let c)): distinct = NumericDistribution.distinctCount(r, c, limit: 6)
        default:
            distinct = Set(reference.sample.categories.counts.keys).union(current.sample.categories.counts.keys).count
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

    static func score(
        _ method: DriftMethod, _ reference: ColumnProfile, _ current: ColumnProfile, kind: ColumnKind
    )
        -> Double
    {
        let integral = reference.storage == .integer && current.storage == .integer
        switch (method, reference.sample, current.sample) {
        case (.ks, .numbers(let r), .numbers(let c)):
            // Both samples are finite, sorted and non-empty here, so the test cannot refuse them.
            return (try? KolmogorovSmirnov.twoSample(sortedReference: r.sortedSample, sortedCurrent: c.sortedSample))?
                .pValue ?? .nan
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
