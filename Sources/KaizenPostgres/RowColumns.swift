import PostgresNIO

/// Reads a result row's columns in order, each decoded as the type its reader names. For the hot paths that read
/// thousands of rows per request (metric histories, the runs of a search page): decoding a row as a tuple looks the
/// tuple's type metadata up for every row, and iterating rows one `await` at a time costs a task switch each.
struct RowColumns {
    var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        cells = row.makeIterator()
    }

    mutating func next<Value: PostgresDecodable>(_ type: Value.Type = Value.self) throws -> Value {
        guard let cell = cells.next() else { throw PostgresStoreError("a result row has fewer columns than read") }
        return try cell.decode(Value.self)
    }

    /// Reads all of `rows` (they arrive buffered) and hands each row's columns to `body`.
    static func forEach(_ rows: PostgresRowSequence, _ body: (inout RowColumns) throws -> Void) async throws {
        for row in try await rows.collect() {
            var columns = RowColumns(row)
            try body(&columns)
        }
    }
}
