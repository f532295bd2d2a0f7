public import KaizenCore

/// A scoring request's data, in the shape the client sent it; `ScoringModel` turns it into engine feeds.
public enum ScoringInput: Sendable {
    /// A table with named columns (`dataframe_split`, `dataframe_records`, CSV, a list of records):
    /// predictions come back as one record per row.
    case frame(DataFrame)
    /// One nested list (`inputs`/`instances` as a list of lists) for a single-input model: predictions come back
    /// as a dict of output name to full-shape lists.
    case tensor(JSONValue)
    /// Named nested lists (`inputs`/`instances` as a dict): tensors by input name, or the columns of a
    /// DataFrame when the model's signature has columns.
    case named([(String, JSONValue)])
}

/// A small column-major table: what a DataFrame payload becomes.
public struct DataFrame: Sendable {
    /// Column names, in the order the client sent them.
    public var names: [String]
    /// The cells, one array per column, each `rowCount` long.
    public var columns: [[JSONValue]]
    public var rowCount: Int

    public init(names: [String], columns: [[JSONValue]], rowCount: Int) {
        self.names = names
        self.columns = columns
        self.rowCount = rowCount
    }

    /// The cells of the column called `name`, if there is one.
    public func column(_ name: String) -> [JSONValue]? {
        names.firstIndex(of: name).map { columns[$0] }
    }

    /// A table from rows of cells under `names` (pandas' orient=split).
    init(names: [String], rows: [[JSONValue]]) throws(ScoringError) {
        var columns = [[JSONValue]](repeating: [], count: names.count)
        for index in columns.indices { columns[index].reserveCapacity(rows.count) }
        for row in rows {
            guard row.count == names.count else {
                throw ScoringError.badRequest(
                    "Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' "
                        + "format. Error: '\(names.count) columns passed, passed data had \(row.count) columns'")
            }
            for (index, cell) in row.enumerated() { columns[index].append(cell) }
        }
        self.init(names: names, columns: columns, rowCount: rows.count)
    }

    /// A table from records (pandas' orient=records): the columns are the keys in order of first appearance, and a
    /// record without a key has null there.
    init(records: [[(String, JSONValue)]]) {
        var names: [String] = []
        var positions: [String: Int] = [:]
        var columns: [[JSONValue]] = []
        for (row, record) in records.enumerated() {
            for (key, value) in record {
                let index: Int
                if let known = positions[key] {
                    index = known
                } else {
                    index = names.count
                    positions[key] = index
                    names.append(key)
                    columns.append([JSONValue](repeating: .null, count: records.count))
                }
                columns[index][row] = value
            }
        }
        self.init(names: names, columns: columns, rowCount: records.count)
    }
}
