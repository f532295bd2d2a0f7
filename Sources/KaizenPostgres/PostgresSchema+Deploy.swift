extension PostgresSchema {
    /// The deploy tables: endpoints, the replicas' reports, rollouts.
    ///
    /// A report is kept once per endpoint, replica and sequence (the primary key), and an endpoint has at most one
    /// unfinished rollout (a partial unique index), whichever replica writes.
    static let deploy: [PostgresMigration] = [
        PostgresMigration(
            name: "deploy-v1",
            statements: [
                """
                CREATE TABLE endpoints (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    model_name TEXT COLLATE "C" NOT NULL,
                    traffic TEXT NOT NULL,
                    shadow TEXT NOT NULL,
                    follow_alias TEXT COLLATE "C",
                    alias_rollout TEXT,
                    description TEXT NOT NULL,
                    revision BIGINT NOT NULL,
                    creation_timestamp BIGINT NOT NULL,
                    last_updated_timestamp BIGINT NOT NULL
                )
                """,
                "CREATE INDEX endpoints_by_model ON endpoints(model_name)",
                """
                CREATE TABLE endpoint_reports (
                    endpoint TEXT COLLATE "C" NOT NULL,
                    replica_id TEXT COLLATE "C" NOT NULL,
                    sequence BIGINT NOT NULL,
                    window_start BIGINT NOT NULL,
                    window_end BIGINT NOT NULL,
                    received_at BIGINT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (endpoint, replica_id, sequence)
                )
                """,
                "CREATE INDEX endpoint_reports_by_time ON endpoint_reports(endpoint, received_at)",
                "CREATE INDEX endpoint_reports_by_age ON endpoint_reports(received_at)",
                """
                CREATE TABLE rollouts (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    endpoint TEXT COLLATE "C" NOT NULL,
                    active BOOLEAN NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    state TEXT NOT NULL
                )
                """,
                "CREATE INDEX rollouts_by_endpoint ON rollouts(endpoint, created_at)",
                "CREATE UNIQUE INDEX rollouts_one_active ON rollouts(endpoint) WHERE active",
                "CREATE INDEX rollouts_active ON rollouts(created_at) WHERE active",
            ])
    ]
}
