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

    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
        guard let statement = Self.runSearchStatement(search, selecting: Self.runSelection, ordered: true) else {
            return Page(items: [])
        }
        let page = try await database.read { connection in
            try await statement.page(maxResults: search.maxResults, offset: search.offset) { statement in
                try await Self.runInfos(from: connection.query(statement.query, logger: logger))
            }
        }
        let runs = try await Self.loadRuns(database, infos: page.items, logger: logger)
        return Page(items: runs, nextPageToken: page.nextPageToken)
    }
}
