/// Which drift method and threshold each column gets, and when the data set as a whole has drifted.
///
/// The most specific choice wins: a column's own, then its kind's (numerical or categorical), then the one for
/// every column, then the method's default (Evidently's order).
public struct DriftOptions: Sendable {
    /// The data set drifts when at least this share of the compared columns drift.
    public var driftShare = 0.5
    public var method: DriftMethod?
    public var numericalMethod: DriftMethod?
    public var categoricalMethod: DriftMethod?
    public var columnMethods: [String: DriftMethod] = [:]
    public var threshold: Double?
    public var numericalThreshold: Double?
    public var categoricalThreshold: Double?
    public var columnThresholds: [String: Double] = [:]
    /// Only these columns, when set.
    public var columns: [String]?

    public init() {}

    func method(for column: String, kind: ColumnKind) -> DriftMethod? {
        columnMethods[column] ?? (kind == .numerical ? numericalMethod : categoricalMethod) ?? method
    }

    func threshold(for column: String, kind: ColumnKind) -> Double? {
        columnThresholds[column] ?? (kind == .numerical ? numericalThreshold : categoricalThreshold) ?? threshold
    }
}
