import GRDB
public import KaizenCore
public import KaizenTracking

extension SQLiteTrackingStore {
    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
        let experimentIDs = search.experimentIDs.compactMap { Int64($0) }
        guard !experimentIDs.isEmpty else { return Page(items: []) }
        var conditions = [
            "r.experiment_id IN (\(RunLoader.placeholders(experimentIDs.count)))",
            "r.lifecycle_stage IN (\(search.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",")))",
        ]
        var arguments: [any DatabaseValueConvertible] = experimentIDs
        for clause in search.clauses {
            let (condition, values) = SQLFilter.runCondition(clause)
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
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
            SELECT r.run_uuid FROM runs r WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(orderTerms.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let allArguments = (arguments + orderArguments + [search.maxResults + 1, search.offset]).map(\.databaseValue)
        return try await pool.read { db in
            var ids = try String.fetchAll(db, sql: sql, arguments: StatementArguments(allArguments))
            let hasMore = ids.count > search.maxResults
            if hasMore { ids.removeLast() }
            return Page(
                items: try RunLoader.load(db, ids: ids),
                nextPageToken: hasMore ? PageToken(offset: search.offset + search.maxResults).encoded : nil)
        }
    }
}
