public import KaizenCore

/// A small table, stored row-major as a DataFrame payload arrives: what `dataframe_split`, `dataframe_records` and
/// CSV bodies become.
public struct DataFrame: Sendable {
    /// Column names, in the order the client sent them.
    public var names: [String]
    /// The cells, row after row, `names.count` per row.
    public var cells: [JSONValue]
    public var rowCount: Int

    public init(names: [String], cells: [JSONValue], rowCount: Int) {
        self.names = names
        self.cells = cells
        self.rowCount = rowCount
    }

    /// The cells of column `index`, top to bottom.
    public func column(at index: Int) -> LazyMapSequence<Range<Int>, JSONValue> {
        let width = names.count
        return (0..<rowCount).lazy.map { [cells] row in cells[row * width + index] }
    }

    /// A table from rows of cells under `names` (pandas' orient=split); a row that is not a list is one cell.
    init(names: [String], rows: [JSONValue]) throws(ServingError) {
        var cells: [JSONValue] = []
        cells.reserveCapacity(rows.count * names.count)
        for row in rows {
            let count: Int
            if case .array(let items) = row {
                count = items.count
                if count == names.count { cells.append(contentsOf: items) }
            } else {
                count = 1
                if names.count == 1 { cells.append(row) }
            }
            guard count == names.count else {
                throw ServingError.badRequest(
                    "Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' "
                        + "format. Error: '\(names.count) columns passed, passed data had \(count) columns'")
            }
        }
        self.init(names: names, cells: cells, rowCount: rows.count)
    }

    /// A table from records (pandas' orient=records): the columns are the keys in order of first appearance, and a
    /// record without a key has null there.
    init(records: [[(String, JSONValue)]]) {
        var names: [String] = []
        var positions: [String: Int] = [:]
        for record in records {
            for (key, _) in record where positions[key] == nil {
                positions[key] = names.count
                names.append(key)
            }
        }
        var cells = [JSONValue](repeating: .null, count: names.count * records.count)
        for (row, record) in records.enumerated() {
            for (key, value) in record { cells[row * names.count + positions[key]!] = value }
        }
        self.init(names: names, cells: cells, rowCount: records.count)
    }
}
