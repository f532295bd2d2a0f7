import GRDB

/// The SQLite schema of tracking data, as ordered migrations. A released migration is never edited;
/// changes are new migrations appended to the list.
enum TrackingSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        register(in: &migrator)
        RegistrySchema.register(in: &migrator)
        DeploySchema.register(in: &migrator)
        MonitorSchema.register(in: &migrator)
        LeaseSchema.register(in: &migrator)
        return migrator
    }

    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("tracking-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE experiments (
                        experiment_id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        artifact_location TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                        creation_time INTEGER NOT NULL,
                        last_update_time INTEGER NOT NULL
                    );
                    CREATE TABLE experiment_tags (
                        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (experiment_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE runs (
                        run_uuid TEXT PRIMARY KEY,
                        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                        name TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_time INTEGER NOT NULL,
                        end_time INTEGER,
                        artifact_uri TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
                        deleted_time INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time DESC);
                    CREATE TABLE metrics (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value REAL NOT NULL,
                        is_nan INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        model_id TEXT,
                        dataset_name TEXT,
                        dataset_digest TEXT
                    );
                    CREATE UNIQUE INDEX metrics_history
                        ON metrics(run_uuid, key, timestamp, step, value, is_nan, ifnull(model_id, ''));
                    CREATE INDEX metrics_by_model ON metrics(model_id) WHERE model_id IS NOT NULL;
                    CREATE TABLE latest_metrics (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value REAL NOT NULL,
                        is_nan INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value);
                    CREATE TABLE params (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX params_by_key ON params(key, value);
                    CREATE TABLE tags (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX tags_by_key ON tags(key, value);
                    CREATE TABLE datasets (
                        dataset_uuid TEXT PRIMARY KEY,
                        experiment_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        source_type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        schema TEXT,
                        profile TEXT,
                        UNIQUE (experiment_id, name, digest)
                    ) WITHOUT ROWID;
                    CREATE TABLE inputs (
                        input_uuid TEXT PRIMARY KEY,
                        source_type TEXT NOT NULL,
                        source_id TEXT NOT NULL,
                        destination_type TEXT NOT NULL,
                        destination_id TEXT NOT NULL,
                        UNIQUE (destination_type, destination_id, source_type, source_id)
                    );
                    CREATE TABLE input_tags (
                        input_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (input_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_outputs (
                        run_uuid TEXT NOT NULL,
                        model_id TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, model_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE logged_models (
                        model_id TEXT PRIMARY KEY,
                        experiment_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        artifact_uri TEXT NOT NULL,
                        status TEXT NOT NULL,
                        model_type TEXT NOT NULL,
                        source_run_id TEXT,
                        creation_timestamp INTEGER NOT NULL,
                        last_updated_timestamp INTEGER NOT NULL,
                        lifecycle_stage TEXT NOT NULL DEFAULT 'active'
                    ) WITHOUT ROWID;
                    CREATE INDEX logged_models_by_experiment ON logged_models(experiment_id, creation_timestamp DESC);
                    CREATE TABLE logged_model_tags (
                        model_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (model_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE logged_model_params (
                        model_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (model_id, key)
                    ) WITHOUT ROWID;
                    """)
        }
        // Summaries of each run's metrics for the runs table, kept as metrics are logged, and an index by step
        // that holds every column a chart reads, so a zoomed chart reads only its range.
        migrator.registerMigration("tracking-v2-metric-summaries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE metric_summaries (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        min_value REAL,
                        max_value REAL,
                        sum_value REAL NOT NULL,
                        value_count INTEGER NOT NULL,
                        nan_count INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    INSERT INTO metric_summaries(run_uuid, key, min_value, max_value, sum_value, value_count, nan_count)
                        SELECT run_uuid, key, min(CASE WHEN is_nan = 0 THEN value END),
                               max(CASE WHEN is_nan = 0 THEN value END), total(CASE WHEN is_nan = 0 THEN value END),
                               sum(is_nan = 0), sum(is_nan = 1)
                        FROM metrics GROUP BY run_uuid, key;
                    CREATE INDEX metrics_by_step ON metrics(run_uuid, key, step, timestamp, value, is_nan);
                    """)
        }
        // The metrics that carry a model or a dataset, by run and key (usually none): a history without any is read
        // from `metrics_history` alone, without a look-up of each row in the table.
        migrator.registerMigration("tracking-v3-metrics-with-extras") { db in
            try db.execute(
                sql: """
                    CREATE INDEX metrics_with_extras ON metrics(run_uuid, key)
                        WHERE model_id IS NOT NULL OR dataset_name IS NOT NULL OR dataset_digest IS NOT NULL;
                    """)
        }
    }
}
