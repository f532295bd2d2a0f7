import GRDB
import GRDBSQLite

/// Reads the current row of a stepping statement by column position, straight from SQLite: no row copy, no
/// column-name lookup, no generic decoding. For the hot paths that read thousands of rows per request (metric
/// histories, the runs of a search page); elsewhere `Row` is clearer.
struct ColumnReader {
    let handle: SQLiteStatement

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func bool(_ column: Int32) -> Bool { sqlite3_column_int64(handle, column) != 0 }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as text; "" for NULL.
    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(unsafeUninitializedCapacity: count) { buffer in
            guard count > 0, let base = buffer.baseAddress else { return 0 }
            base.initialize(from: text, count: count)
            return count
        }
    }

    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }

    /// Runs `statement` with `arguments` and hands each row to `body`.
    static func forEachRow(
        _ statement: Statement, arguments: StatementArguments, _ body: (ColumnReader) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        let reader = ColumnReader(handle: statement.sqliteStatement)
        while try rows.next() != nil { try body(reader) }
    }
}
