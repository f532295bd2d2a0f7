public import KaizenCore
public import KaizenTracking
import PostgresNIO

extension PostgresTrackingStore {
    /// A run search as a statement on runs `r`, from `SELECT columns` to its `WHERE` condition and, when `ordered`,
    /// its `ORDER BY`; nil when no experiment id is valid.
    static func runSearchStatement(
        _ search: RunSearch, selecting columns: String, ordered: Bool = false
    ) -> SQLStatement? {
        let experimentIDs = search.experimentIDs.compactMap { Int64($0) }
        guard !experimentIDs.isEmpty else { return nil }
        var statement = SQLStatement()
        var conditions = [
            "r.experiment_id = ANY(\(statement.bind(experimentIDs)))",
            "r.lifecycle_stage = ANY(\(statement.bind(search.viewType.stages.map(\.rawValue))))",
        ]
        // One condition per operand of a top-level AND, less those the order's joins take over.
        var sources = RunSearchSources(conjuncts: search.filter?.conjuncts ?? [])
        var orderTerms: [String] = []
        if ordered {
            for (index, clause) in search.order.enumerated() {
                orderTerms += runOrderTerms(clause, alias: "o\(index)", sources: &sources, in: &statement)
            }
            orderTerms += ["r.start_time DESC", "r.run_uuid ASC"]
        }
        for operand in sources.conjuncts {
            conditions.append(runCondition(operand, in: &statement))
        }
        let joins = sources.joins.map { " " + $0 }.joined()
        statement.append("SELECT \(columns) FROM runs r\(joins) WHERE \(conditions.joined(separator: " AND "))")
        if ordered { statement.append(" ORDER BY \(orderTerms.joined(separator: ", "))") }
        return statement
    }

    public func countRuns(_ search: RunSearch) async throws -> Int {
        guard let statement = Self.runSearchStatement(search, selecting: "count(*)") else { return 0 }
        return try await database.read { connection in
            for try await count in try await connection.query(statement.query, logger: logger).decode(Int64.self) {
                return Int(count)
            }
            return 0
        }
    }

    /// A page of runs: the page query reads each run's record (`RunRecord`) alone; the runs without one are loaded
    /// from their rows and recorded for the next search.
    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
        try await searchPage(
            search, kept: "r.search_record",
            read: { row in try row.nextCell().bytes.flatMap(RunRecord.decode) },
            complete: { connection, runs in try await Self.loadInputs(connection, into: &runs, logger: logger) },
            load: { keys in try await Self.loadAndRecordRuns(database, keys: keys, logger: logger).mapValues(\.run) })
    }

    /// A page of runs as `rendering` writes them: the page query reads each run's kept rendering
    /// (`runs.search_document`) alone, and the runs without one (or with one of another version) are loaded from
    /// their rows, rendered and kept for the next search. A search page of 1,000 runs read from records took this
    /// server 4.9 to 5.6 ms of CPU, about half of it writing the runs' JSON; from kept renderings, 2.5 to 3.0.
    public func searchRenderedRuns(_ search: RunSearch, rendering: RunRendering) async throws -> Page<[UInt8]> {
        try await searchPage(
            search, kept: "r.search_document_version, r.search_document",
            read: { row in
                let version = try row.nextCell().bytes
                let document = try row.nextCell().bytes
                guard let version, String(buffer: version) == rendering.version, let document else { return nil }
                return Array(buffer: document)
            },
            complete: { _, _ in },
            load: { keys in
                try await Self.loadAndRecordRuns(database, keys: keys, rendering: rendering, logger: logger)
                    .compactMapValues(\.document)
            })
    }

    /// A page of the runs `search` finds, each read by `read` from the columns `kept` (nil when what they keep is
    /// missing or out of date) and passed with the others to `complete`; the runs read as nil are then loaded by
    /// `load`, by key, outside the page query's transaction.
    private func searchPage<Item: Sendable>(
        _ search: RunSearch, kept: String, read: (inout RowColumns) throws -> Item?,
        complete: (PostgresConnection, inout [Item]) async throws -> Void,
        load: ([Int64]) async throws -> [Int64: Item]
    ) async throws -> Page<Item> {
        guard let statement = Self.runSearchStatement(search, selecting: "r.run_key, \(kept)", ordered: true) else {
            return Page(items: [])
        }
        var missing: [(position: Int, key: Int64)] = []
        var page = try await database.read { connection in
            var page = try await statement.page(maxResults: search.maxResults, offset: search.offset) { statement in
                var items: [Item?] = []
                try await RowColumns.forEach(connection.query(statement.query, logger: logger)) { row in
                    let key = try row.nextInt64()
                    let item = try read(&row)
                    if item == nil { missing.append((items.count, key)) }
                    items.append(item)
                }
                return items
            }
            // The row past the page's end may be one of them.
            missing.removeAll { $0.position >= page.items.count }
            var found = page.items.compactMap { $0 }
            try await complete(connection, &found)
            // The items read, back in their places among the missing.
            var next = found.makeIterator()
            page.items = page.items.map { $0 == nil ? nil : next.next() }
            return page
        }
        guard !missing.isEmpty else {
            return Page(items: page.items.compactMap { $0 }, nextPageToken: page.nextPageToken)
        }
        let loaded = try await load(missing.map(\.key))
        // A run deleted since the page query is left out.
        for slot in missing { page.items[slot.position] = loaded[slot.key] }
        return Page(items: page.items.compactMap { $0 }, nextPageToken: page.nextPageToken)
    }
}
