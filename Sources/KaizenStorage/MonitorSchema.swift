import GRDB

/// The SQLite schema of monitoring: the inference log's segments (their bytes live in the artifact store) and the
/// feedback sent for logged requests.
enum MonitorSchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("monitor-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inference_segments (
                        endpoint TEXT NOT NULL,
                        replica_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        first_time INTEGER NOT NULL,
                        last_time INTEGER NOT NULL,
                        records INTEGER NOT NULL,
                        requests INTEGER NOT NULL,
                        dropped INTEGER NOT NULL,
                        bytes INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        PRIMARY KEY (endpoint, replica_id, sequence)
                    ) WITHOUT ROWID;
                    CREATE INDEX inference_segments_by_time ON inference_segments(endpoint, first_time);
                    CREATE TABLE inference_feedback (
                        endpoint TEXT NOT NULL,
                        request_id TEXT NOT NULL,
                        row INTEGER NOT NULL,
                        label TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        PRIMARY KEY (endpoint, request_id, row)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("monitor-v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE monitor_rules (
                        endpoint TEXT PRIMARY KEY,
                        body TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE monitor_alerts (
                        endpoint TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        window_start INTEGER NOT NULL,
                        version TEXT NOT NULL,
                        fired_at INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (endpoint, rule, window_start, version)
                    ) WITHOUT ROWID;
                    CREATE INDEX monitor_alerts_by_time ON monitor_alerts(endpoint, fired_at);
                    """)
        }
    }
}
