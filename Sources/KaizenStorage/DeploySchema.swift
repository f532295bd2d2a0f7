import GRDB

/// The SQLite schema of deployments: endpoints (and, with rollouts, their state).
enum DeploySchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("deploy-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE endpoints (
                        name TEXT PRIMARY KEY,
                        model_name TEXT NOT NULL,
                        traffic TEXT NOT NULL,
                        shadow TEXT NOT NULL,
                        follow_alias TEXT,
                        alias_rollout TEXT,
                        description TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        creation_timestamp INTEGER NOT NULL,
                        last_updated_timestamp INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX endpoints_by_model ON endpoints(model_name);
                    CREATE TABLE endpoint_reports (
                        endpoint TEXT NOT NULL,
                        replica_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        window_start INTEGER NOT NULL,
                        window_end INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (endpoint, replica_id, sequence)
                    ) WITHOUT ROWID;
                    CREATE INDEX endpoint_reports_by_time ON endpoint_reports(endpoint, received_at);
                    CREATE TABLE rollouts (
                        id TEXT PRIMARY KEY,
                        endpoint TEXT NOT NULL,
                        active INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        state TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX rollouts_by_endpoint ON rollouts(endpoint, created_at);
                    CREATE UNIQUE INDEX rollouts_one_active ON rollouts(endpoint) WHERE active = 1;
                    """)
        }
    }
}
