import GRDB
public import KaizenTracking

extension SQLiteTrackingStore {
    public func metricSummaries(runIDs: [String]) async throws -> [String: [MetricSummary]] {
        guard !runIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            var summaries: [String: [MetricSummary]] = [:]
            var start = 0
            while start < runIDs.count {
                let chunk = Array(runIDs[start..<min(start + RunLoader.chunkSize, runIDs.count)])
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT l.run_uuid, l.key, l.value, l.is_nan, l.step, l.timestamp, s.min_value, s.max_value,
                               s.sum_value, s.value_count, s.nan_count
                        FROM latest_metrics l
                        LEFT JOIN metric_summaries s ON s.run_uuid = l.run_uuid AND s.key = l.key
                        WHERE l.run_uuid IN (\(RunLoader.placeholders(chunk.count))) ORDER BY l.run_uuid, l.key
                        """, arguments: StatementArguments(chunk))
                while let row = try rows.next() {
                    let isNaN: Bool = row[3]
                    let valueCount: Int64 = row[9] ?? 0
                    let sum: Double = row[8] ?? 0
                    summaries[row[0], default: []].append(
                        MetricSummary(
                            key: row[1], last: isNaN ? .nan : row[2], lastStep: row[4], lastTimestamp: row[5],
                            minimum: row[6], maximum: row[7], mean: valueCount > 0 ? sum / Double(valueCount) : nil,
                            count: valueCount + (row[10] ?? 0)))
                }
                start += RunLoader.chunkSize
            }
            return summaries
        }
    }

    public func metricValues(runIDs: [String], key: String, step: Int64) async throws -> [String: Double] {
        guard !runIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT CASE WHEN is_nan = 1 THEN NULL ELSE value END, is_nan FROM metrics
                    WHERE run_uuid = ? AND key = ? AND step = ? ORDER BY timestamp DESC, value DESC LIMIT 1
                    """)
            var values: [String: Double] = [:]
            for id in runIDs {
                guard let row = try Row.fetchOne(statement, arguments: [id, key, step]) else { continue }
                let isNaN: Bool = row[1]
                values[id] = isNaN ? .nan : row[0]
            }
            return values
        }
    }

    public func metricSeries(_ request: MetricSeriesRequest) async throws -> MetricSeries {
        try await pool.read { db in
            _ = try Self.requireRun(db, request.runID)
            // Fixed column names only: the axis picks one of two.
            let x = request.axis == .step ? "step" : "timestamp"
            let other = request.axis == .step ? "timestamp" : "step"
            let key: [any DatabaseValueConvertible] = [request.runID, request.key]
            guard
                let bounds = try Row.fetchOne(
                    db, sql: "SELECT min(\(x)), max(\(x)) FROM metrics WHERE run_uuid = ? AND key = ?",
                    arguments: StatementArguments(key)),
                let first: Int64 = bounds[0], let last: Int64 = bounds[1]
            else { return .empty }
            let lower = request.lower ?? first
            let upper = request.upper ?? last
            // One pass over the range in the order of the index (no sort): raw points are kept until there are
            // more than the raw limit, and every value goes into its bucket, an equal slice of the range, so
            // buckets line up from one query to the next.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(x), \(other), value, is_nan FROM metrics
                    WHERE run_uuid = ? AND key = ? AND \(x) BETWEEN ? AND ? ORDER BY \(x), \(other)
                    """, arguments: StatementArguments(key + [lower, upper]))
            var builder = MetricSeriesBuilder(request: request, lower: lower, upper: upper)
            while let row = try rows.next() {
                builder.add(position: row[0], partner: row[1], value: row[2], isNaN: row[3])
            }
            return builder.series
        }
    }
}
