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
        guard
            let statement = Self.runSearchStatement(
                search, selecting: "r.run_key, r.search_record", ordered: true)
        else {
            return Page(items: [])
        }
        var missing: [(position: Int, key: Int64)] = []
        var page = try await database.read { connection in
            var page = try await statement.page(maxResults: search.maxResults, offset: search.offset) { statement in
                var runs: [Run] = []
                try await RowColumns.forEach(connection.query(statement.query, logger: logger)) { row in
                    let key = try row.nextInt64()
                    if let record = try row.nextCell().bytes, let run = RunRecord.decode(record) {
                        runs.append(run)
                    } else {
                        missing.append((runs.count, key))
                        runs.append(Run(info: RunInfo.placeholder))
                    }
                }
                return runs
            }
            // The row past the page's end may be one of them.
            missing.removeAll { $0.position >= page.items.count }
            try await Self.loadInputs(connection, into: &page.items, logger: logger)
            return page
        }
        guard !missing.isEmpty else { return page }
        let loaded = try await Self.loadAndRecordRuns(database, keys: missing.map(\.key), logger: logger)
        for slot in missing { page.items[slot.position] = loaded[slot.key] ?? page.items[slot.position] }
        // A run deleted since the page query is left out.
        let gone = Set(missing.filter { loaded[$0.key] == nil }.map(\.position))
        if !gone.isEmpty {
            page.items = page.items.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        }
        return page
    }
}

extension RunInfo {
    /// The info of a run a search page has yet to load.
    fileprivate static let placeholder = RunInfo(
        runID: "", experimentID: "", runName: "", userID: "", status: .running, startTime: 0, endTime: nil,
        artifactURI: "", lifecycleStage: .active)
}
