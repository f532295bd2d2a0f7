/// A data set read column by column: reference or current data for a drift report.
///
/// Columns are typed as pandas types them when it reads the same file, because the drift methods a column gets
/// follow from that type: numbers with no missing value that are all integers are integral, numbers with a gap are
/// floats, `True`/`False` columns are booleans, and anything else is text labels.
public struct DataTable: Sendable {
    /// The columns, in the file's order.
    public var columns: [DataColumn]
    /// How many rows every column has.
    public var rowCount: Int

    public init(columns: [DataColumn], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }

    /// The column named `name`.
    public subscript(name: String) -> DataColumn? {
        columns.first { $0.name == name }
    }
}

/// One column of a `DataTable`.
public struct DataColumn: Sendable {
    /// The column's values, stored by kind.
    public enum Values: Sendable {
        /// Numbers, NaN where a value is missing. `integral` when every value is an integer and none is missing
        /// (pandas' int64), `boolean` for `True`/`False` columns (stored as 1 and 0).
        case numbers([Double], integral: Bool, boolean: Bool)
        /// Text: a code per row into `labels`, -1 where a value is missing.
        case labels(codes: [Int32], labels: [String])
    }

    public var name: String
    public var values: Values
    /// A float column whose every present value was written as an integer: only its gaps make it float, so a
    /// selection of its rows with no gap is integral again (the inference log's refusal lines leave such gaps).
    public var integralWhenPresent = false

    public init(name: String, values: Values, integralWhenPresent: Bool = false) {
        self.name = name
        self.values = values
        self.integralWhenPresent = integralWhenPresent
    }

    /// The number of rows.
    public var count: Int {
        switch values {
        case .numbers(let numbers, _, _): numbers.count
        case .labels(let codes, _): codes.count
        }
    }

    /// How many rows have no value (NaN counts as missing; infinities do not).
    public var missingCount: Int {
        switch values {
        case .numbers(let numbers, _, _): numbers.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        case .labels(let codes, _): codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        }
    }

    /// The column's kind as the data describes it.
    public var storageKind: StorageKind {
        switch values {
        case .numbers(_, let integral, let boolean): boolean ? .boolean : integral ? .integer : .float
        case .labels: .text
        }
    }

    /// The four kinds of column storage, named as pandas names their dtypes.
    public enum StorageKind: String, Sendable {
        case integer = "int64"
        case float = "float64"
        case boolean = "bool"
        case text = "object"
    }
}
