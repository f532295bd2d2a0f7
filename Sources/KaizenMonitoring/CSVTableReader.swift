import CPrefetch
public import KaizenCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Reads a CSV file with a header row into a `DataTable`, typing columns as pandas' `read_csv` does.
///
/// Blank lines are skipped; a row with fewer fields than the header has missing values at its end; a row with
/// more, a repeated or empty column name, or an unclosed quote is refused with the line it is on.
public enum CSVTableReader {
    /// Reads the file at `path`: every column, or only those named in `columns`.
    public static func read(path: String, columns: Set<String>? = nil) throws(KaizenError) -> DataTable {
        let file = try MappedFile(path: path)
        return try read(file, source: path, columns: columns)
    }

    /// Reads a mapped file, letting its pages go as they are passed.
    public static func read(
        _ file: MappedFile, source: String, columns: Set<String>? = nil, checkingRows: Bool = true,
        hasQuotes: Bool = true, expectedRows: Int = 0, rowIndex: RowIndex? = nil
    ) throws(KaizenError) -> DataTable {
        var released = 0
        return try withExtendedLifetime(file) { () throws(KaizenError) -> DataTable in
            try read(
                file.bytes, source: source, columns: columns, checkingRows: checkingRows, hasQuotes: hasQuotes,
                expectedRows: expectedRows, rowIndex: rowIndex
            ) {
                file.release(from: released, before: $0)
                released = max(released, $0)
            }
        }
    }

    /// The column names in the header of CSV text.
    public static func header(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(KaizenError) -> [String] {
        var cursor = CSVCursor(bytes)
        if hasByteOrderMark(bytes) { cursor.position = 3 }
        return try header(&cursor, source: source)
    }

    /// Reads CSV text: every column, or only those named in `columns` (the others are skipped unread); `source`
    /// names the text in error messages. In text without quotes (`hasQuotes` false), fields of columns not read
    /// are skipped eight bytes at a time. Rows with more fields than the header are refused, unless `checkingRows`
    /// is false (a caller that reads a file in several passes checks in one). Columns reserve room for
    /// `expectedRows` (the file's line count, when the caller knows it). In text without quotes, `rowIndex` carries
    /// where each row starts and where the previous pass stopped in it from one pass to the next, so that a later
    /// pass neither skips the fields an earlier one read nor searches for the ends of rows. `passed` is called now
    /// and then with the offset the reader has passed.
    public static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, source: String, columns wanted: Set<String>? = nil,
        checkingRows: Bool = true, hasQuotes: Bool = true, expectedRows: Int = 0, rowIndex: RowIndex? = nil,
        passed: (Int) -> Void = { _ in }
    ) throws(KaizenError) -> DataTable {
        var cursor = CSVCursor(bytes)
        if hasByteOrderMark(bytes) { cursor.position = 3 }
        let names = try header(&cursor, source: source)
        let dataStart = cursor.position
        let dataLine = cursor.line
        // The builder of each field position, -1 for a column that is not read.
        var slots = [Int](repeating: -1, count: names.count)
        var builders: [ColumnBuilder] = []
        for (position, name) in names.enumerated() where wanted?.contains(name) ?? true {
            slots[position] = builders.count
            builders.append(ColumnBuilder(name: name, expectedRows: expectedRows))
        }
        let lastWanted = slots.lastIndex { $0 >= 0 } ?? -1
        // The next field position at or after each one that is read.
        var nextWanted = [Int](repeating: names.count, count: names.count + 1)
        for position in stride(from: names.count - 1, through: 0, by: -1) {
            nextWanted[position] = slots[position] >= 0 ? position : nextWanted[position + 1]
        }
        // Without quotes a line break always ends a row, so the rest of a row past the last wanted column can be
        // skipped in one search.
        let skipping = !hasQuotes
        // The index is built by a reader's first pass and used by the next ones; the pass that checks rows reads
        // every row from its start, so that its errors name lines.
        let rowIndex = skipping && !checkingRows ? rowIndex : nil
        let indexed = rowIndex?.isBuilt ?? false
        // A pass resumes each row where the previous one stopped when that is not past its own first column.
        let resuming = indexed && rowIndex!.field <= nextWanted[0]
        // The index's arrays are taken out of it for the pass (and put back whatever happens), so the row loop works
        // on local arrays: no exclusivity check or uniqueness test on a class's storage per row.
        var starts: [Int] = []
        var resumes: [Int] = []
        if let rowIndex {
            swap(&starts, &rowIndex.starts)
            swap(&resumes, &rowIndex.resume)
            if !indexed {
                starts = []
                resumes = []
                starts.reserveCapacity(expectedRows)
                resumes.reserveCapacity(expectedRows)
            }
        }
        defer {
            if let rowIndex {
                swap(&starts, &rowIndex.starts)
                swap(&resumes, &rowIndex.resume)
            }
        }
        let resumeField = rowIndex?.field ?? 0
        // Rows are of varying length, so no hardware prefetcher foresees where the next one starts; the index does.
        let lookAhead = 12
        var rows = 0
        rowLoop: while indexed ? rows < starts.count : !cursor.isAtEnd {
            let rowLine = cursor.line
            var index = 0
            if rowIndex != nil {
                if indexed {
                    if rows + lookAhead < starts.count, let base = bytes.baseAddress {
                        let ahead = resumes[rows + lookAhead]
                        kaizen_prefetch(base + starts[rows + lookAhead] + (resuming ? max(ahead, 0) : 0))
                    }
                    let resume = resumes[rows]
                    resumes[rows] = RowIndex.ended
                    if resuming && resume == RowIndex.ended {
                        for slot in slots where slot >= 0 { builders[slot].appendMissing() }
                        rows += 1
                        continue rowLoop
                    }
                    cursor.position = starts[rows] + (resuming ? resume : 0)
                    index = resuming ? resumeField : 0
                } else if !startsBlankLine(cursor) {
                    starts.append(cursor.position)
                    resumes.append(RowIndex.ended)
                }
            }
            if skipping && nextWanted[index] > index {
                if index == 0 && startsBlankLine(cursor) {
                    _ = try cursor.next()
                    continue
                }
                if !cursor.skipFields(nextWanted[index] - index) {
                    for slot in slots where slot >= 0 { builders[slot].appendMissing() }
                    rows += 1
                    continue rowLoop
                }
                index = nextWanted[index]
            }
            var field = try cursor.next()
            if index == 0 && isBlankLine(cursor, field) { continue }
            while true {
                guard index < names.count else {
                    throw .invalidParameter(
                        "Invalid CSV in \(source): line \(rowLine) has more fields than the header's \(names.count)")
                }
                let slot = slots[index]
                if slot >= 0 {
                    let fits = cursor.withContent(field) { builders[slot].append($0) }
                    if !fits {
                        var rereader = CSVCursor(bytes, from: dataStart)
                        rereader.line = dataLine
                        try relabel(&builders[slot], column: index, rows: rows, cursor: &rereader)
                        _ = cursor.withContent(field) { builders[slot].append($0) }
                    }
                }
                index += 1
                if field.endsRow { break }
                if skipping {
                    if index > lastWanted {
                        if rowIndex != nil {
                            resumes[rows] = cursor.position - starts[rows]
                        }
                        if indexed {
                            // The next row's start is known: nothing to search for.
                        } else if !checkingRows {
                            skipRow(&cursor)
                        } else if index + cursor.skipRest() > names.count {
                            throw .invalidParameter(
                                "Invalid CSV in \(source): line \(rowLine) has more fields than the header's "
                                    + "\(names.count)")
                        }
                        break
                    }
                    let next = nextWanted[index]
                    if next > index {
                        if !cursor.skipFields(next - index) {
                            index = next
                            break
                        }
                        index = next
                    }
                }
                field = try cursor.next()
            }
            while index <= lastWanted {
                if slots[index] >= 0 { builders[slots[index]].appendMissing() }
                index += 1
            }
            rows += 1
            if rows & 0x3FFF == 0 { passed(cursor.position) }
        }
        rowIndex?.field = lastWanted + 1
        return DataTable(columns: builders.map { $0.column() }, rowCount: rows)
    }

    /// Where each row of a file without quotes starts, and where the last pass over it stopped in each row: built
    /// by a reader's first pass over the file, used by the next ones. One per file and worker, used by one pass at a
    /// time.
    public final class RowIndex: @unchecked Sendable {
        /// A row that ended before the last pass's last column.
        static let ended = -1
        /// Each row's first byte.
        var starts: [Int] = []
        /// Per row, the offset from its start of field `field`, or `ended`.
        var resume: [Int] = []
        /// The field the offsets in `resume` point at.
        var field = 0

        public init() {}

        var isBuilt: Bool { field > 0 }
    }

    /// Whether the cursor is at a blank line (`\n`, `\r\n`, or `\r` at the end), which is no row.
    static func startsBlankLine(_ cursor: CSVCursor) -> Bool {
        let bytes = cursor.bytes
        let position = cursor.position
        return bytes[position] == 0x0A
            || (bytes[position] == 0x0D && (position + 1 == bytes.count || bytes[position + 1] == 0x0A))
    }

    /// Moves past the rest of a row without reading its fields.
    static func skipRow(_ cursor: inout CSVCursor) {
        let bytes = cursor.bytes
        let start = cursor.position
        if let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) {
            cursor.position = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            cursor.line += 1
        } else {
            cursor.position = bytes.count
        }
    }

    static func hasByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
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
            if isBlankLine(cursor, field) { continue }
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

    /// Whether a row's first field is a blank line: empty, not quoted (`""` is an empty value), and ending the row.
    static func isBlankLine(_ cursor: CSVCursor, _ field: CSVCursor.Field) -> Bool {
        field.endsRow && field.start == field.end && !field.unescaped
            && (field.start == 0 || cursor.bytes[field.start - 1] != UInt8(ascii: "\""))
    }
}
