public import KaizenCore
public import KaizenTracking
import PostgresNIO

extension PostgresTrackingStore {
    /// A statement on runs `r` that ends in the `WHERE` condition of a run search; nil when no experiment id is
    /// valid.
    static func runSearchStatement(_ search: RunSearch, selecting columns: String) -> SQLStatement? {
        let experimentIDs = search.experimentIDs.compactMap { Int64($0) }
        guard !experimentIDs.isEmpty else { return nil }
        var statement = SQLStatement("SELECT \(columns) FROM runs r WHERE ")
        var conditions = [
            "r.experiment_id = ANY(\(statement.bind(experimentIDs)))",
            "r.lifecycle_stage = ANY(\(statement.bind(search.viewType.stages.map(\.rawValue))))",
        ]
        // One condition per operand of a top-level AND.
        for operand in search.filter?.conjuncts ?? [] {
            conditions.append(runCondition(operand, in: &statement))
        }
        statement.append(conditions.joined(separator: " AND "))
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
        guard var statement = Self.runSearchStatement(search, selecting: Self.runSelection) else {
            return Page(items: [])
        }
        var orderTerms: [String] = []
        for clause in search.order { orderTerms += Self.runOrderTerms(clause, in: &statement) }
        orderTerms.append(contentsOf: ["r.start_time DESC", "r.run_uuid ASC"])
        statement.append(" ORDER BY \(orderTerms.joined(separator: ", "))")
        return try await database.read { connection in
            let page = try await statement.page(maxResults: search.maxResults, offset: search.offset) {
                statement in try await Self.runInfos(from: connection.query(statement.query, logger: logger))
            }
            let runs = try await Self.loadRuns(connection, infos: page.items, logger: logger)
            return Page(items: runs, nextPageToken: page.nextPageToken)
        }
    }
}
