import KaizenCore
public import PostgresNIO

/// SQL built piece by piece with its values bound as `$1`, `$2`…: for statements whose shape depends on the
/// request (filters, IN lists, multi-row inserts). Fixed statements use `PostgresQuery`'s interpolation instead.
public struct SQLStatement: Sendable {
    public private(set) var sql: String
    public private(set) var bindings = PostgresBindings()

    public init(_ sql: String = "") {
        self.sql = sql
    }

    /// Appends SQL text as is: never a value from outside.
    public mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `value` and returns its placeholder, to be written into the SQL text.
    public mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds `value`, or NULL, and returns its placeholder.
    public mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds each value and returns the placeholders separated by commas, for `IN (…)`.
    public mutating func bindList<Value: PostgresDynamicTypeEncodable>(_ values: some Sequence<Value>) -> String {
        values.map { bind($0) }.joined(separator: ", ")
    }

    /// The statement to run.
    public var query: PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// One page of a search: this statement with `LIMIT` one row more than the page holds, so the presence of a
    /// next page is known without counting; `fetch` runs it.
    func page<Item>(
        maxResults: Int, offset: Int, fetch: (SQLStatement) async throws -> [Item]
    ) async throws -> Page<Item> {
        var statement = self
        let limit = statement.bind(Int64(maxResults) + 1)
        let skip = statement.bind(Int64(offset))
        statement.append(" LIMIT \(limit) OFFSET \(skip)")
        var items = try await fetch(statement)
        let hasMore = items.count > maxResults
        if hasMore { items.removeLast() }
        return Page(items: items, nextPageToken: hasMore ? PageToken(offset: offset + maxResults).encoded : nil)
    }
}
