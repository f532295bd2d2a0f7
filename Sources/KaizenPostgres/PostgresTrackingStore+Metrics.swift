public import KaizenTracking
import PostgresNIO

extension PostgresTrackingStore {
    public func metricSummaries(runIDs: [String]) async throws -> [String: [MetricSummary]] {
        guard !runIDs.isEmpty else { return [:] }
        return try await database.read { connection in
            let rows = try await connection.query(
                """
                SELECT r.run_uuid, l.key, l.value, l.is_nan, l.step, l.timestamp, s.min_value, s.max_value,
                       s.sum_value, s.value_count, s.nan_count
                FROM runs r JOIN latest_metrics l ON l.run_key = r.run_key
                LEFT JOIN metric_summaries s ON s.run_key = l.run_key AND s.key = l.key
                WHERE r.run_uuid = ANY(\(runIDs)) ORDER BY r.run_uuid, l.key
                """, logger: logger)
            var summaries: [String: [MetricSummary]] = [:]
            for try await (id, key, value, isNaN, step, timestamp, minimum, maximum, sum, valueCount, nanCount)
                in rows.decode(
                    (String, String, Double, Bool, Int64, Int64, Double?, Double?, Double?, Int64?, Int64?).self)
            {
                let count = valueCount ?? 0
                summaries[id, default: []].append(
                    MetricSummary(
                        key: key, last: isNaN ? .nan : value, lastStep: step, lastTimestamp: timestamp,
                        minimum: minimum, maximum: maximum, mean: count > 0 ? (sum ?? 0) / Double(count) : nil,
                        count: count + (nanCount ?? 0)))
            }
            return summaries
        }
    }

    public func metricValues(runIDs: [String], key: String, step: Int64) async throws -> [String: Double] {
        guard !runIDs.isEmpty else { return [:] }
        return try await database.read { connection in
            let rows = try await connection.query(
                """
                SELECT DISTINCT ON (r.run_uuid) r.run_uuid, m.value, m.is_nan
                FROM runs r JOIN metrics m ON m.run_key = r.run_key AND m.key = \(key) AND m.step = \(step)
                WHERE r.run_uuid = ANY(\(runIDs))
                ORDER BY r.run_uuid, m.timestamp DESC, m.value DESC
                """, logger: logger)
            var values: [String: Double] = [:]
            for try await (id, value, isNaN) in rows.decode((String, Double, Bool).self) {
                values[id] = isNaN ? .nan : value
            }
            return values
        }
    }

    public func metricSeries(_ request: MetricSeriesRequest) async throws -> MetricSeries {
        try await database.read { connection in
            let (run, _) = try await Self.requireRun(connection, request.runID, lock: "", logger: logger)
            // Fixed column names only: the axis picks one of two.
            let x = request.axis == .step ? "step" : "timestamp"
            let other = request.axis == .step ? "timestamp" : "step"
            var bounds: (Int64, Int64)?
            for try await (first, last) in try await connection.query(
                """
                SELECT min(\(unescaped: x)), max(\(unescaped: x)) FROM metrics
                WHERE run_key = \(run) AND key = \(request.key)
                """, logger: logger
            ).decode((Int64?, Int64?).self) {
                if let first, let last { bounds = (first, last) }
            }
            guard let (first, last) = bounds else { return .empty }
            let lower = request.lower ?? first
            let upper = request.upper ?? last
            // One pass over the range in the order of an index: raw points are kept until there are more than the
            // raw limit, and every value goes into its bucket, an equal slice of the range, as on SQLite.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: x), \(unescaped: other), value, is_nan FROM metrics
                WHERE run_key = \(run) AND key = \(request.key) AND \(unescaped: x) BETWEEN \(lower) AND \(upper)
                ORDER BY \(unescaped: x), \(unescaped: other)
                """, logger: logger)
            var builder = MetricSeriesBuilder(request: request, lower: lower, upper: upper)
            for try await (position, partner, stored, isNaN) in rows.decode((Int64, Int64, Double, Bool).self) {
                builder.add(position: position, partner: partner, value: stored, isNaN: isNaN)
            }
            return builder.series
        }
    }
}
