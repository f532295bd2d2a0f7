import KaizenCore
public import KaizenMonitoring
import KaizenRegistry
import Logging
import PostgresNIO

/// The PostgreSQL implementation of `MonitorStore`: a segment is kept once per endpoint, replica and sequence, a
/// label once per request and row, an alert once per endpoint, rule, window and version, whichever replica writes.
public struct PostgresMonitorStore: MonitorStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    var logger: Logger { database.logger }

    static func segment(_ row: NamedRow) throws -> InferenceSegment {
        InferenceSegment(
            endpoint: try row.get("endpoint"), replicaID: try row.get("replica_id"), sequence: try row.get("sequence"),
            firstTime: try row.get("first_time"), lastTime: try row.get("last_time"), records: try row.get("records"),
            requests: try row.get("requests"), dropped: try row.get("dropped"), bytes: try row.get("bytes"),
            receivedAt: try row.get("received_at"))
    }

    public func addSegment(_ segment: InferenceSegment) async throws -> Bool {
        let logger = logger
        return try await database.write { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO inference_segments(endpoint, replica_id, sequence, first_time, last_time, records, requests,
                                               dropped, bytes, received_at)
                VALUES (\(segment.endpoint), \(segment.replicaID), \(segment.sequence), \(segment.firstTime),
                        \(segment.lastTime), \(segment.records), \(segment.requests), \(segment.dropped),
                        \(segment.bytes), \(segment.receivedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger
            ).collect()
            return !inserted.isEmpty
        }
    }

    public func segment(endpoint: String, replicaID: String, sequence: Int64) async throws -> InferenceSegment? {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetchOne(
                connection,
                """
                SELECT * FROM inference_segments
                WHERE endpoint = \(endpoint) AND replica_id = \(replicaID) AND sequence = \(sequence)
                """, logger: logger
            ).map(Self.segment)
        }
    }

    public func segments(endpoint: String, from: Int64?, to: Int64?) async throws -> [InferenceSegment] {
        // A segment spans at most the replica's rotation time, so the index on first_time narrows the scan and
        // last_time finishes the overlap test.
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(
                connection,
                """
                SELECT * FROM inference_segments
                WHERE endpoint = \(endpoint) AND first_time < \(to ?? Int64.max) AND last_time >= \(from ?? Int64.min)
                ORDER BY first_time, replica_id, sequence
                """, logger: logger
            ).map(Self.segment)
        }
    }

    public func addFeedback(_ items: [Feedback], endpoint: String) async throws {
        guard !items.isEmpty else { return }
        // One statement for the batch: the items as parallel arrays. A label sent twice in one batch counts once,
        // the last one, as the SQLite store's row-by-row REPLACE keeps the last.
        var latest: [String: Int] = [:]
        for (index, item) in items.enumerated() { latest["\(item.requestID)\u{0}\(item.row)"] = index }
        let kept = latest.values.sorted().map { items[$0] }
        let requestIDs = kept.map(\.requestID)
        let rows = kept.map { Int64($0.row) }
        let labels = kept.map(\.label.json.jsonText)
        let times = kept.map(\.receivedAt)
        let logger = logger
        _ = try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO inference_feedback(endpoint, request_id, "row", label, received_at)
                SELECT \(endpoint), f.request_id, f.row, f.label, f.received_at
                FROM unnest(\(requestIDs)::text[], \(rows)::int8[], \(labels)::text[], \(times)::int8[])
                    AS f(request_id, row, label, received_at)
                ON CONFLICT (endpoint, request_id, "row") DO UPDATE
                    SET label = EXCLUDED.label, received_at = EXCLUDED.received_at
                """, logger: logger)
        }
    }

    public func feedback(endpoint: String, requestIDs: [String]) async throws -> [Feedback] {
        guard !requestIDs.isEmpty else { return [] }
        let logger = logger
        return try await database.read { connection in
            var found: [Feedback] = []
            for try await (requestID, row, label, receivedAt) in try await connection.query(
                """
                SELECT request_id, "row", label, received_at FROM inference_feedback
                WHERE endpoint = \(endpoint) AND request_id = ANY(\(requestIDs))
                ORDER BY request_id, "row"
                """, logger: logger
            ).decode((String, Int64, String, Int64).self) {
                found.append(
                    Feedback(
                        requestID: requestID, row: Int(row), label: try FeedbackLabel(stored: label),
                        receivedAt: receivedAt))
            }
            return found
        }
    }

    public func setRules(_ rules: MonitorRules) async throws {
        let logger = logger
        _ = try await database.write { connection in
            if rules.rules.isEmpty {
                try await connection.query(
                    "DELETE FROM monitor_rules WHERE endpoint = \(rules.endpoint)", logger: logger)
            } else {
                try await connection.query(
                    """
                    INSERT INTO monitor_rules(endpoint, body, updated_at)
                    VALUES (\(rules.endpoint), \(rules.json.jsonText), \(currentTimeMillis()))
                    ON CONFLICT (endpoint) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
                    """, logger: logger)
            }
        }
    }

    public func allRules() async throws -> [MonitorRules] {
        let logger = logger
        return try await database.read { connection in
            var all: [MonitorRules] = []
            for try await body in try await connection.query(
                "SELECT body FROM monitor_rules ORDER BY endpoint", logger: logger
            ).decode(String.self) {
                all.append(try MonitorRules(json: try JSONValue(parsing: Array(body.utf8))))
            }
            return all
        }
    }

    public func recordAlert(_ alert: MonitorAlert, modelName: String) async throws -> Bool {
        let logger = logger
        return try await database.write { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO monitor_alerts(endpoint, rule, window_start, version, fired_at, body)
                VALUES (\(alert.endpoint), \(alert.rule), \(alert.windowStart), \(alert.version ?? ""),
                        \(alert.firedAt), \(alert.json.jsonText))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger
            ).collect()
            guard !inserted.isEmpty else { return false }
            try await PostgresRegistryStore.audit(
                connection, logger, "monitor_alert", name: modelName, version: alert.version.flatMap { Int64($0) },
                after: alert.json, now: alert.firedAt, actor: Actor("kaizen-monitor"))
            return true
        }
    }

    public func alerts(endpoint: String, limit: Int) async throws -> [MonitorAlert] {
        let logger = logger
        return try await database.read { connection in
            var alerts: [MonitorAlert] = []
            for try await body in try await connection.query(
                """
                SELECT body FROM monitor_alerts WHERE endpoint = \(endpoint)
                ORDER BY fired_at DESC, window_start DESC, rule LIMIT \(Int64(limit))
                """, logger: logger
            ).decode(String.self) {
                alerts.append(try MonitorAlert(json: try JSONValue(parsing: Array(body.utf8))))
            }
            return alerts
        }
    }
}
