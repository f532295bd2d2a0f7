public import KaizenCore

/// Rows of JSON numbers read straight into one buffer of doubles (row after row) instead of a tree of JSON values:
/// the data of the commonest requests, parsed several times faster. Each stands for exactly what the full parser
/// reads, and can rebuild it cell for cell (integers written as integers stay integers) for the requests the float
/// fast path does not cover.
public struct NumericRows: Sendable {
    public var rowCount = 0
    /// Numbers per row, the same in every row.
    public var width = 0
    /// The cells, row after row.
    public var values: [Double] = []
    /// Whether each cell was written as an integer (`3`, not `3.0` or `3e0`), which the full parser keeps apart.
    public var integerSyntax: [Bool] = []

    /// The cells as the full parser reads them.
    public var cells: [JSONValue] {
        var cells: [JSONValue] = []
        cells.reserveCapacity(values.count)
        for (value, integer) in zip(values, integerSyntax) {
            cells.append(integer ? .integer(Int64(value)) : .double(value))
        }
        return cells
    }

    /// The rows as the full parser reads them: a list of lists.
    public var nestedList: JSONValue {
        let cells = cells
        return .array((0..<rowCount).map { row in .array(Array(cells[row * width..<(row + 1) * width])) })
    }

    /// `[[number, ...], ...]`, every row as wide as the first, at least one row; false for anything else.
    mutating func read(_ reader: inout JSONReader) throws(JSONParseError) -> Bool {
        guard reader.take(UInt8(ascii: "[")), !reader.take(UInt8(ascii: "]")) else { return false }
        repeat {
            guard reader.take(UInt8(ascii: "[")) else { return false }
            let start = values.count
            if !reader.take(UInt8(ascii: "]")) {
                repeat {
                    guard try readNumber(&reader) else { return false }
                } while reader.take(UInt8(ascii: ","))
                guard reader.take(UInt8(ascii: "]")) else { return false }
            }
            let count = values.count - start
            guard rowCount == 0 || count == width else { return false }
            width = count
            rowCount += 1
        } while reader.take(UInt8(ascii: ","))
        return reader.take(UInt8(ascii: "]"))
    }

    /// One cell; integers must be exact as doubles (at most 2^53 in magnitude).
    mutating func readNumber(_ reader: inout JSONReader) throws(JSONParseError) -> Bool {
        switch try reader.number() {
        case .integer(let integer)?:
            guard integer.magnitude <= 1 << 53 else { return false }
            values.append(Double(integer))
            integerSyntax.append(true)
        case .double(let double)?:
            values.append(double)
            integerSyntax.append(false)
        default: return false
        }
        return true
    }
}

/// A `dataframe_split` table whose every cell is a number: column names over `NumericRows`.
public struct NumericFrame: Sendable {
    public var names: [String]
    public var rows: NumericRows

    public var rowCount: Int { rows.rowCount }

    /// The same table as the full parser reads it.
    public var dataFrame: DataFrame {
        DataFrame(names: names, cells: rows.cells, rowCount: rows.rowCount)
    }

    /// `[name, ...]`, strings only.
    static func readNames(_ reader: inout JSONReader) throws(JSONParseError) -> [String]? {
        guard reader.take(UInt8(ascii: "[")) else { return nil }
        var names: [String] = []
        if reader.take(UInt8(ascii: "]")) { return names }
        repeat {
            guard let name = try reader.string() else { return nil }
            names.append(name)
        } while reader.take(UInt8(ascii: ","))
        return reader.take(UInt8(ascii: "]")) ? names : nil
    }
}

extension ScoringRequest {
    /// Reads the commonest bodies without a JSON tree: `{"dataframe_split": {"columns": [names], "data": [[numbers],
    /// ...]}}` (keys in either order) and `{"inputs": [[numbers], ...]}` (or `instances`), with any whitespace. Nil
    /// for anything else (another key, `params`, a cell that is not a number, NaN, an integer past 2^53, rows of
    /// unequal width, no rows, invalid JSON), so the full parser reads the body and gives its answer or its error.
    static func numericInput(_ bytes: [UInt8]) -> ScoringInput? {
        try? JSONReader.read(bytes) { reader throws(JSONParseError) -> ScoringInput? in
            guard reader.take(UInt8(ascii: "{")), let key = try reader.string(), reader.take(UInt8(ascii: ":")) else {
                return nil
            }
            let input: ScoringInput
            switch key {
            case "dataframe_split":
                guard let frame = try numericFrame(&reader) else { return nil }
                input = .numericFrame(frame)
            case "inputs", "instances":
                var rows = NumericRows()
                guard try rows.read(&reader) else { return nil }
                input = .numericTensor(rows)
            default: return nil
            }
            guard reader.take(UInt8(ascii: "}")), reader.isAtEnd() else { return nil }
            return input
        }
    }

    /// The object under `dataframe_split`: `columns` and `data`, each once, nothing else.
    static func numericFrame(_ reader: inout JSONReader) throws(JSONParseError) -> NumericFrame? {
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var names: [String]?
        var rows: NumericRows?
        repeat {
            guard let key = try reader.string(), reader.take(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "columns" where names == nil:
                guard let read = try NumericFrame.readNames(&reader) else { return nil }
                names = read
            case "data" where rows == nil:
                var read = NumericRows()
                guard try read.read(&reader) else { return nil }
                rows = read
            default: return nil
            }
        } while reader.take(UInt8(ascii: ","))
        guard reader.take(UInt8(ascii: "}")), let names, let rows, rows.width == names.count else { return nil }
        return NumericFrame(names: names, rows: rows)
    }
}
