import GRDB
public import KaizenCore
public import KaizenTracking

extension SQLiteTrackingStore {
    /// The `FROM` and `WHERE` of a run search on runs `r`, with their arguments; nil when no experiment id is
    /// valid.
    ///
    /// SQLite walks the runs of the experiments and probes each conjunct of the filter per run. When one conjunct
    /// names fewer runs than the experiments hold (an equality on a param or tag, a comparison of a metric's last
    /// value: each is a range of an index on key and value), the statement starts from that range instead and
    /// looks the other conditions up for its runs only. Which conjunct, if any, is decided per search by counting
    /// each candidate's range, bounded by half the experiments' runs.
    static func runQuery(
        _ db: Database, _ search: RunSearch
    ) throws -> (
        from: String, condition: String, arguments: [any DatabaseValueConvertible]
    )? {
        let experimentIDs = search.experimentIDs.compactMap { Int64($0) }
        guard !experimentIDs.isEmpty else { return nil }
        let scope = [
            "r.experiment_id IN (\(RunLoader.placeholders(experimentIDs.count)))",
            "r.lifecycle_stage IN (\(search.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",")))",
        ]
        let conjuncts = search.filter?.conjuncts ?? []
        var driver: (index: Int, source: String, arguments: [any DatabaseValueConvertible])?
        let candidates = conjuncts.enumerated().compactMap { index, conjunct in
            SQLFilter.runSource(conjunct).map { (index: index, source: $0.0, arguments: $0.1) }
        }
        if !candidates.isEmpty {
            let inScope =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM runs r WHERE \(scope.joined(separator: " AND "))",
                    arguments: StatementArguments(experimentIDs)) ?? 0
            var fewest = inScope / 2
            for candidate in candidates {
                let count =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM (\(candidate.source) LIMIT ?)",
                        arguments: StatementArguments(
                            candidate.arguments.map(\.databaseValue) + [fewest.databaseValue])) ?? 0
                if count < fewest {
                    fewest = count
                    driver = candidate
                }
            }
        }
        var conditions = scope
        var arguments: [any DatabaseValueConvertible] = []
        var from = "runs r"
        if let driver {
            // CROSS JOIN keeps SQLite's join order: the driving range first, then each run by its key.
            from = "(\(driver.source)) d CROSS JOIN runs r ON r.run_uuid = d.run_uuid"
            arguments = driver.arguments
        }
        arguments.append(contentsOf: experimentIDs)
        // One condition per operand of a top-level AND: an AND-only filter is one condition per comparison. The
        // driving one is met by the range it comes from.
        for (index, operand) in conjuncts.enumerated() where index != driver?.index {
            let (condition, values) = SQLFilter.runCondition(operand)
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        return (from, conditions.joined(separator: " AND "), arguments)
    }

    public func countRuns(_ search: RunSearch) async throws -> Int {
        try await pool.read { db in
            guard let (from, condition, arguments) = try Self.runQuery(db, search) else { return 0 }
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM \(from) WHERE \(condition)",
                arguments: StatementArguments(arguments.map(\.databaseValue))) ?? 0
        }
    }

    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
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
        let order = orderTerms.joined(separator: ", ")
        let orderValues = orderArguments.map(\.databaseValue)
        let ids = try await pool.read { db -> Page<String> in
            guard let (from, condition, arguments) = try Self.runQuery(db, search) else { return Page(items: []) }
            let sql = """
                SELECT r.run_uuid FROM \(from) WHERE \(condition)
                ORDER BY \(order) LIMIT ? OFFSET ?
                """
            let query = PagedQuery(
                sql: sql, arguments: arguments + orderValues, maxResults: search.maxResults, offset: search.offset)
            return try query.fetch(db) { rows in rows.map { $0[0] } }
        }
        return Page(items: try await loadRuns(ids.items), nextPageToken: ids.nextPageToken)
    }

    /// Runs by id, in the order of `ids`: a long list loads in two halves on two connections at once. A run deleted
    /// since its id was read is left out, as a page read a moment later would leave it out.
    func loadRuns(_ ids: [String]) async throws -> [Run] {
        guard ids.count > 200 else {
            return try await pool.read { db in try RunLoader.load(db, ids: ids) }
        }
        let half = ids.count / 2
        let (first, second) = (Array(ids[..<half]), Array(ids[half...]))
        async let head = pool.read { db in try RunLoader.load(db, ids: first) }
        let tail = try await pool.read { db in try RunLoader.load(db, ids: second) }
        return try await head + tail
    }
}
