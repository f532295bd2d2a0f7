public import KaizenCore

/// Reads a CSV file with a header row into a `DataTable`, typing columns as pandas' `read_csv` does.
///
/// Blank lines are skipped; a row with fewer fields than the header has missing values at its end; a row with
/// more, a repeated or empty column name, or an unclosed quote is refused with the line it is on.
public enum CSVTableReader {
    /// Reads the file at `path`.
    public static func read(path: String) throws(KaizenError) -> DataTable {
        let file = try MappedFile(path: path)
        return try withExtendedLifetime(file) { () throws(KaizenError) -> DataTable in
            try read(file.bytes, source: path)
        }
    }

    /// Reads CSV text; `source` names it in error messages.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(KaizenError) -> DataTable {
        var cursor = CSVCursor(bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { cursor.position = 3 }
        let names = try header(&cursor, source: source)
        let dataStart = cursor.position
        let dataLine = cursor.line
        var builders = names.map { ColumnBuilder(name: $0) }
        var rows = 0
        while !cursor.isAtEnd {
            let rowLine = cursor.line
            var field = try cursor.next()
            if field.endsRow && field.start == field.end && !field.unescaped && isBlankLine(cursor, field) {
                continue
            }
            var index = 0
            while true {
                guard index < builders.count else {
                    throw .invalidParameter(
                        "Invalid CSV in \(source): line \(rowLine) has more fields than the header's \(names.count)")
                }
                let fits = cursor.withContent(field) { builders[index].append($0) }
                if !fits {
                    var rereader = CSVCursor(bytes, from: dataStart)
                    rereader.line = dataLine
                    try relabel(&builders[index], column: index, rows: rows, cursor: &rereader)
                    _ = cursor.withContent(field) { builders[index].append($0) }
                }
                index += 1
                if field.endsRow { break }
                field = try cursor.next()
            }
            while index < builders.count {
                builders[index].appendMissing()
                index += 1
            }
            rows += 1
        }
        return DataTable(columns: builders.map { $0.column() }, rowCount: rows)
    }

    static func header(_ cursor: inout CSVCursor, source: String) throws(KaizenError) -> [String] {
        var names: [String] = []
        while !cursor.isAtEnd {
            let field = try cursor.next()
            names.append(cursor.withContent(field) { String(decoding: $0, as: UTF8.self) })
            if field.endsRow {
                if names == [""] {
                    names = []
                    continue
                }
                break
            }
        }
        guard !names.isEmpty else { throw .invalidParameter("Invalid CSV in \(source): no header row") }
        var seen = Set<String>()
        for name in names {
            guard !name.isEmpty else {
                throw .invalidParameter("Invalid CSV in \(source): a column in the header has no name")
            }
            guard seen.insert(name).inserted else {
                throw .invalidParameter("Invalid CSV in \(source): the column '\(name)' appears twice in the header")
            }
        }
        return names
    }

    /// Re-reads a column's first `rows` cells as labels, after a cell that is not a number or a boolean.
    static func relabel(
        _ builder: inout ColumnBuilder, column: Int, rows: Int, cursor: inout CSVCursor
    ) throws(KaizenError) {
        builder.becomeLabels()
        var row = 0
        while row < rows, !cursor.isAtEnd {
            var field = try cursor.next()
            if field.endsRow && field.start == field.end && !field.unescaped && isBlankLine(cursor, field) {
                continue
            }
            var index = 0
            while true {
                if index == column { _ = cursor.withContent(field) { builder.append($0) } }
                index += 1
                if field.endsRow { break }
                field = try cursor.next()
            }
            if index <= column { builder.appendMissing() }
            row += 1
        }
    }

    static func isBlankLine(_ cursor: CSVCursor, _ field: CSVCursor.Field) -> Bool {
        field.start == 0 || cursor.bytes[field.start - 1] != UInt8(ascii: "\"")
    }
}
