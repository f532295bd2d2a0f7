import Logging
import PostgresNIO

/// A result row whose columns are read by name, for `SELECT *` and wide rows.
struct NamedRow {
    let row: PostgresRandomAccessRow

    /// The column's value; an error when it is missing or of another type.
    func get<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try row[column].decode(Value.self)
    }

    /// Runs `query` and reads all its rows.
    static func fetch(
        _ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger
    ) async throws -> [NamedRow] {
        try await connection.query(query, logger: logger).collect().map { NamedRow(row: $0.makeRandomAccess()) }
    }

    /// Runs `query` and reads its first row, if any.
    static func fetchOne(
        _ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger
    ) async throws -> NamedRow? {
        try await fetch(connection, query, logger: logger).first
    }
}
