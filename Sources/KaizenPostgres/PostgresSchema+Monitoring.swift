extension PostgresSchema {
    /// The monitoring tables: the inference log's segments (their bytes are in the artifact store), feedback, alert
    /// rules and the alerts fired. Keys make a resent segment, a repeated label and a re-fired alert count once.
    static let monitoring: [PostgresMigration] = [
        PostgresMigration(
            name: "monitor-v1",
            statements: [
                """
                CREATE TABLE inference_segments (
                    endpoint TEXT COLLATE "C" NOT NULL,
                    replica_id TEXT COLLATE "C" NOT NULL,
                    sequence BIGINT NOT NULL,
                    first_time BIGINT NOT NULL,
                    last_time BIGINT NOT NULL,
                    records BIGINT NOT NULL,
                    requests BIGINT NOT NULL,
                    dropped BIGINT NOT NULL,
                    bytes BIGINT NOT NULL,
                    received_at BIGINT NOT NULL,
                    PRIMARY KEY (endpoint, replica_id, sequence)
                )
                """,
                "CREATE INDEX inference_segments_by_time ON inference_segments(endpoint, first_time)",
                """
                CREATE TABLE inference_feedback (
                    endpoint TEXT COLLATE "C" NOT NULL,
                    request_id TEXT COLLATE "C" NOT NULL,
                    "row" BIGINT NOT NULL,
                    label TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    PRIMARY KEY (endpoint, request_id, "row")
                )
                """,
                """
                CREATE TABLE monitor_rules (
                    endpoint TEXT COLLATE "C" PRIMARY KEY,
                    body TEXT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE monitor_alerts (
                    endpoint TEXT COLLATE "C" NOT NULL,
                    rule TEXT COLLATE "C" NOT NULL,
                    window_start BIGINT NOT NULL,
                    version TEXT COLLATE "C" NOT NULL,
                    fired_at BIGINT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (endpoint, rule, window_start, version)
                )
                """,
                "CREATE INDEX monitor_alerts_by_time ON monitor_alerts(endpoint, fired_at)",
            ])
    ]
}
