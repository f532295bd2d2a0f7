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
            var total: Int64 = 0
            for try await count in try await connection.query(
                """
                SELECT count(*) FROM metrics
                WHERE run_key = \(run) AND key = \(request.key) AND \(unescaped: x) BETWEEN \(lower) AND \(upper)
                """, logger: logger
            ).decode(Int64.self) {
                total = count
            }
            var builder = MetricSeriesBuilder(request: request, lower: lower, upper: upper)
            guard total > request.rawLimit else {
                // Few enough to send raw: one pass in the order of an index.
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: x), \(unescaped: other), value, is_nan FROM metrics
                    WHERE run_key = \(run) AND key = \(request.key)
                        AND \(unescaped: x) BETWEEN \(lower) AND \(upper)
                    ORDER BY \(unescaped: x), \(unescaped: other)
                    """, logger: logger)
                for try await (position, partner, stored, isNaN) in rows.decode((Int64, Int64, Double, Bool).self) {
                    builder.add(position: position, partner: partner, value: stored, isNaN: isNaN)
                }
                return builder.series
            }
            // Too many to send: the buckets are reduced in the database, so that a million points cost a thousand
            // rows on the wire. A bucket's slot is the builder's arithmetic in float8; its last value is the one at
            // its greatest x (and greatest other coordinate), looked up by index.
            let rows = try await connection.query(
                """
                WITH b AS (
                    SELECT least(greatest(trunc((\(unescaped: x)::float8 - \(lower)::float8)
                                                / \(builder.width)::float8)::bigint, 0), \(request.buckets - 1)) AS slot,
                           min(\(unescaped: x)) AS lo, max(\(unescaped: x)) AS hi, min(value) AS least_value,
                           max(value) AS greatest_value, count(*) AS n
                    FROM metrics
                    WHERE run_key = \(run) AND key = \(request.key)
                        AND \(unescaped: x) BETWEEN \(lower) AND \(upper) AND NOT is_nan
                    GROUP BY 1
                )
                SELECT b.lo, b.hi, b.least_value, b.greatest_value, b.n,
                       (SELECT m.value FROM metrics m
                        WHERE m.run_key = \(run) AND m.key = \(request.key) AND m.\(unescaped: x) = b.hi AND NOT m.is_nan
                        ORDER BY m.\(unescaped: other) DESC, m.value DESC LIMIT 1)
                FROM b ORDER BY b.slot
                """, logger: logger)
            var buckets: [MetricSeries.Bucket] = []
            for try await (lowerX, upperX, minimum, maximum, count, lastValue)
                in rows.decode((Int64, Int64, Double, Double, Int64, Double).self)
            {
                buckets.append(
                    MetricSeries.Bucket(
                        lowerX: lowerX, upperX: upperX, minimum: minimum, maximum: maximum, last: lastValue,
                        count: count))
            }
            return MetricSeries(lowerX: lower, upperX: upper, total: total, points: [], buckets: buckets)
        }
    }
}
