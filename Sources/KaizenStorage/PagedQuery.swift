import GRDB
import KaizenCore

/// One page of a search: runs `sql` (which ends in `LIMIT ? OFFSET ?`) for one row more than the page
/// holds, so the presence of a next page is known without counting.
struct PagedQuery: Sendable {
    let sql: String
    let arguments: [DatabaseValue]
    let maxResults: Int
    let offset: Int

    init(sql: String, arguments: [any DatabaseValueConvertible], maxResults: Int, offset: Int) {
        self.sql = sql
        self.arguments = (arguments + [maxResults + 1, offset]).map(\.databaseValue)
        self.maxResults = maxResults
        self.offset = offset
    }

    /// Fetches the page's rows and turns them into items with `load`.
    func fetch<Item>(_ db: Database, load: ([Row]) throws -> [Item]) throws -> Page<Item> {
        var rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        let hasMore = rows.count > maxResults
        if hasMore { rows.removeLast() }
        return Page(
            items: try load(rows), nextPageToken: hasMore ? PageToken(offset: offset + maxResults).encoded : nil)
    }
}
