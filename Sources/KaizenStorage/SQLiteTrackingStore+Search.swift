import GRDB
public import KaizenCore
public import KaizenTracking

extension SQLiteTrackingStore {
    /// The `WHERE` condition of a run search on runs `r`, with its arguments; nil when no experiment id is valid.
    static func runConditions(_ search: RunSearch) -> (String, [any DatabaseValueConvertible])? {
        let experimentIDs = search.experimentIDs.compactMap { Int64($0) }
        guard !experimentIDs.isEmpty else { return nil }
        var conditions = [
            "r.experiment_id IN (\(RunLoader.placeholders(experimentIDs.count)))",
            "r.lifecycle_stage IN (\(search.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",")))",
        ]
        var arguments: [any DatabaseValueConvertible] = experimentIDs
        // One condition per operand of a top-level AND: an AND-only filter is one condition per comparison.
        for operand in search.filter?.conjuncts ?? [] {
            let (condition, values) = SQLFilter.runCondition(operand)
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    public func countRuns(_ search: RunSearch) async throws -> Int {
        guard let found = Self.runConditions(search) else { return 0 }
        let sql = "SELECT count(*) FROM runs r WHERE \(found.0)"
        let arguments = StatementArguments(found.1.map(\.databaseValue))
        return try await pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
        guard let found = Self.runConditions(search) else { return Page(items: []) }
        let (condition, arguments) = found
        var orderTerms: [String] = []
        var orderArguments: [any DatabaseValueConvertible] = []
        for clause in search.order {
            let (expression, rank, values) = SQLFilter.runOrderExpression(clause)
            // Values first, then NaN, then runs without the key, whatever the direction, as in MLflow.
            orderTerms.append(rank)
            orderTerms.append("\(expression) \(clause.ascending ? "ASC" : "DESC")")
            orderArguments.append(contentsOf: values + values)
        }
        orderTerms.append(contentsOf: ["r.start_time DESC", "r.run_uuid ASC"])
        let sql = """
            SELECT r.run_uuid FROM runs r WHERE \(condition)
            ORDER BY \(orderTerms.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let query = PagedQuery(
            sql: sql, arguments: arguments + orderArguments, maxResults: search.maxResults, offset: search.offset)
        return try await pool.read { db in
            try query.fetch(db) { rows in try RunLoader.load(db, ids: rows.map { $0[0] }) }
        }
    }
}
