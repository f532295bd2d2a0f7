public import GRDB
import KaizenCore
public import KaizenMonitoring
import KaizenRegistry

/// The SQLite implementation of `MonitorStore`.
public struct SQLiteMonitorStore: MonitorStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    static func segment(_ row: Row) -> InferenceSegment {
        InferenceSegment(
            endpoint: row["endpoint"], replicaID: row["replica_id"], sequence: row["sequence"],
            firstTime: row["first_time"], lastTime: row["last_time"], records: row["records"],
            requests: row["requests"], dropped: row["dropped"], bytes: row["bytes"], receivedAt: row["received_at"])
    }

    public func addSegment(_ segment: InferenceSegment) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO inference_segments(endpoint, replica_id, sequence, first_time, last_time,
                                                             records, requests, dropped, bytes, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    segment.endpoint, segment.replicaID, segment.sequence, segment.firstTime, segment.lastTime,
                    segment.records, segment.requests, segment.dropped, segment.bytes, segment.receivedAt,
                ])
            return db.changesCount > 0
        }
    }

    public func segment(endpoint: String, replicaID: String, sequence: Int64) async throws -> InferenceSegment? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM inference_segments WHERE endpoint = ? AND replica_id = ? AND sequence = ?",
                arguments: [endpoint, replicaID, sequence]
            ).map(Self.segment)
        }
    }

    public func segments(endpoint: String, from: Int64?, to: Int64?) async throws -> [InferenceSegment] {
        // A segment spans at most the replica's rotation time, so the index on first_time narrows the scan and
        // last_time finishes the overlap test.
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM inference_segments
                    WHERE endpoint = ? AND first_time < ? AND last_time >= ?
                    ORDER BY first_time, replica_id, sequence
                    """, arguments: [endpoint, to ?? Int64.max, from ?? Int64.min]
            ).map(Self.segment)
        }
    }

    public func addFeedback(_ items: [Feedback], endpoint: String) async throws {
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO inference_feedback(endpoint, request_id, row, label, received_at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for item in items {
                try statement.execute(arguments: [
                    endpoint, item.requestID, item.row, item.label.json.jsonText, item.receivedAt,
                ])
            }
        }
    }

    public func feedback(endpoint: String, requestIDs: [String]) async throws -> [Feedback] {
        try await pool.read { db in
            var found: [Feedback] = []
            // SQLite takes at most 32766 parameters; 500 ids per query keeps each statement small.
            var start = 0
            while start < requestIDs.count {
                let ids = requestIDs[start..<min(start + 500, requestIDs.count)]
                start += ids.count
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT request_id, row, label, received_at FROM inference_feedback
                        WHERE endpoint = ? AND request_id IN (\(marks))
                        """, arguments: StatementArguments([endpoint] + Array(ids)))
                for row in rows {
                    found.append(
                        Feedback(
                            requestID: row["request_id"], row: row["row"],
                            label: try FeedbackLabel(stored: row["label"]), receivedAt: row["received_at"]))
                }
            }
            return found
        }
    }

    public func setRules(_ rules: MonitorRules) async throws {
        try await pool.write { db in
            if rules.rules.isEmpty {
                try db.execute(sql: "DELETE FROM monitor_rules WHERE endpoint = ?", arguments: [rules.endpoint])
            } else {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO monitor_rules(endpoint, body, updated_at) VALUES (?, ?, ?)",
                    arguments: [rules.endpoint, rules.json.jsonText, currentTimeMillis()])
            }
        }
    }

    public func allRules() async throws -> [MonitorRules] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body FROM monitor_rules ORDER BY endpoint").map { row in
                try MonitorRules(json: try JSONValue(parsing: Array((row["body"] as String).utf8)))
            }
        }
    }

    public func recordAlert(_ alert: MonitorAlert, modelName: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO monitor_alerts(endpoint, rule, window_start, version, fired_at, body)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    alert.endpoint, alert.rule, alert.windowStart, alert.version ?? "", alert.firedAt,
                    alert.json.jsonText,
                ])
            guard db.changesCount > 0 else { return false }
            try SQLiteRegistryStore.audit(
                db, "monitor_alert", name: modelName, version: alert.version.flatMap { Int64($0) }, after: alert.json,
                now: alert.firedAt, actor: Actor("kaizen-monitor"))
            return true
        }
    }

    public func alerts(endpoint: String, limit: Int) async throws -> [MonitorAlert] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT body FROM monitor_alerts WHERE endpoint = ?
                    ORDER BY fired_at DESC, window_start DESC, rule LIMIT ?
                    """, arguments: [endpoint, limit]
            ).map { row in try MonitorAlert(json: try JSONValue(parsing: Array((row["body"] as String).utf8))) }
        }
    }
}
