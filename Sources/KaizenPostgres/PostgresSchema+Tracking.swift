extension PostgresSchema {
    /// The tracking tables: experiments, runs and what is logged to them, datasets, logged models.
    ///
    /// Runs have an integer key (`run_key`) that every child table uses: an 8-byte key keeps the metric indexes
    /// small and their comparisons cheap. A NaN metric is stored as 0 with `is_nan` set, as on SQLite and in MLflow,
    /// so that comparisons and orders treat it the same on both backends. Param and tag values can be longer than a
    /// B-tree entry may be (about 2,700 bytes), so their indexes hold a prefix of the value, which equality filters
    /// name as well.
    static let tracking: [PostgresMigration] = [
        PostgresMigration(
            name: "tracking-v1",
            statements: [
                """
                CREATE TABLE experiments (
                    experiment_id BIGINT PRIMARY KEY,
                    name TEXT COLLATE "C" NOT NULL,
                    artifact_location TEXT NOT NULL,
                    lifecycle_stage TEXT COLLATE "C" NOT NULL DEFAULT 'active',
                    creation_time BIGINT NOT NULL,
                    last_update_time BIGINT NOT NULL,
                    CONSTRAINT experiments_name_key UNIQUE (name)
                )
                """,
                // Ids of new experiments; 0 (Default) is inserted with its id and never drawn.
                "CREATE SEQUENCE experiment_ids START 1 OWNED BY experiments.experiment_id",
                """
                CREATE TABLE experiment_tags (
                    experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id),
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (experiment_id, key)
                )
                """,
                """
                CREATE TABLE runs (
                    run_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    run_uuid TEXT COLLATE "C" NOT NULL,
                    experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id),
                    name TEXT COLLATE "C" NOT NULL,
                    user_id TEXT COLLATE "C" NOT NULL,
                    status TEXT COLLATE "C" NOT NULL,
                    start_time BIGINT NOT NULL,
                    end_time BIGINT,
                    artifact_uri TEXT COLLATE "C" NOT NULL,
                    lifecycle_stage TEXT COLLATE "C" NOT NULL DEFAULT 'active',
                    deleted_time BIGINT,
                    CONSTRAINT runs_run_uuid_key UNIQUE (run_uuid)
                )
                """,
                // The default order of a search (newest first, then id) read straight from the index.
                "CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time DESC, run_uuid)",
                """
                CREATE TABLE metrics (
                    run_key BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value DOUBLE PRECISION NOT NULL,
                    is_nan BOOLEAN NOT NULL,
                    timestamp BIGINT NOT NULL,
                    step BIGINT NOT NULL,
                    model_id TEXT COLLATE "C",
                    dataset_name TEXT,
                    dataset_digest TEXT
                )
                """,
                // A metric's history in the order it is read (timestamp, step, value); also what makes a retried
                // value a duplicate.
                """
                CREATE UNIQUE INDEX metrics_history
                    ON metrics(run_key, key, timestamp, step, value, is_nan, (coalesce(model_id, '')))
                """,
                // A chart by step reads its range from this index alone.
                "CREATE INDEX metrics_by_step ON metrics(run_key, key, step, timestamp, value, is_nan)",
                "CREATE INDEX metrics_by_model ON metrics(model_id) WHERE model_id IS NOT NULL",
                """
                CREATE TABLE latest_metrics (
                    run_key BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value DOUBLE PRECISION NOT NULL,
                    is_nan BOOLEAN NOT NULL,
                    timestamp BIGINT NOT NULL,
                    step BIGINT NOT NULL,
                    PRIMARY KEY (run_key, key)
                )
                """,
                "CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value, run_key)",
                """
                CREATE TABLE metric_summaries (
                    run_key BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    min_value DOUBLE PRECISION,
                    max_value DOUBLE PRECISION,
                    sum_value DOUBLE PRECISION NOT NULL,
                    value_count BIGINT NOT NULL,
                    nan_count BIGINT NOT NULL,
                    PRIMARY KEY (run_key, key)
                )
                """,
                """
                CREATE TABLE params (
                    run_key BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (run_key, key)
                )
                """,
                "CREATE INDEX params_by_key ON params(key, (left(value, 200)), run_key)",
                """
                CREATE TABLE tags (
                    run_key BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (run_key, key)
                )
                """,
                "CREATE INDEX tags_by_key ON tags(key, (left(value, 200)), run_key)",
                """
                CREATE TABLE datasets (
                    dataset_uuid TEXT COLLATE "C" PRIMARY KEY,
                    experiment_id BIGINT NOT NULL,
                    name TEXT COLLATE "C" NOT NULL,
                    digest TEXT COLLATE "C" NOT NULL,
                    source_type TEXT NOT NULL,
                    source TEXT NOT NULL,
                    schema TEXT,
                    profile TEXT,
                    CONSTRAINT datasets_identity UNIQUE (experiment_id, name, digest)
                )
                """,
                """
                CREATE TABLE inputs (
                    input_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    input_uuid TEXT COLLATE "C" NOT NULL UNIQUE,
                    source_type TEXT COLLATE "C" NOT NULL,
                    source_id TEXT COLLATE "C" NOT NULL,
                    destination_type TEXT COLLATE "C" NOT NULL,
                    destination_id TEXT COLLATE "C" NOT NULL,
                    CONSTRAINT inputs_link UNIQUE (destination_type, destination_id, source_type, source_id)
                )
                """,
                """
                CREATE TABLE input_tags (
                    input_uuid TEXT COLLATE "C" NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (input_uuid, key)
                )
                """,
                """
                CREATE TABLE run_outputs (
                    run_key BIGINT NOT NULL,
                    model_id TEXT COLLATE "C" NOT NULL,
                    step BIGINT NOT NULL,
                    PRIMARY KEY (run_key, model_id)
                )
                """,
                """
                CREATE TABLE logged_models (
                    model_id TEXT COLLATE "C" PRIMARY KEY,
                    experiment_id BIGINT NOT NULL,
                    name TEXT COLLATE "C" NOT NULL,
                    artifact_uri TEXT NOT NULL,
                    status TEXT COLLATE "C" NOT NULL,
                    model_type TEXT COLLATE "C" NOT NULL,
                    source_run_id TEXT COLLATE "C",
                    creation_timestamp BIGINT NOT NULL,
                    last_updated_timestamp BIGINT NOT NULL,
                    lifecycle_stage TEXT COLLATE "C" NOT NULL DEFAULT 'active'
                )
                """,
                """
                CREATE INDEX logged_models_by_experiment
                    ON logged_models(experiment_id, creation_timestamp DESC, model_id)
                """,
                """
                CREATE TABLE logged_model_tags (
                    model_id TEXT COLLATE "C" NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (model_id, key)
                )
                """,
                """
                CREATE TABLE logged_model_params (
                    model_id TEXT COLLATE "C" NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (model_id, key)
                )
                """,
            ]),
        PostgresMigration(
            name: "tracking-v2",
            statements: [
                // Metric filters and orders read numbers only (`NOT is_nan`): without the NaN rows, the index answers
                // them alone, without visiting the table (1.7 ms less of a 7 ms search query over 10,000 runs).
                "CREATE INDEX latest_metrics_values ON latest_metrics(key, value, run_key) WHERE NOT is_nan",
                "DROP INDEX latest_metrics_by_key",
            ]),
        PostgresMigration(
            name: "tracking-v3",
            statements: [
                // The run as one value (`RunRecord`) for searches to read, NULL until a search records it.
                "ALTER TABLE runs ADD COLUMN search_record BYTEA",
                // Any write to a run's latest metrics, params, tags or outputs clears its record in the same
                // transaction. The shared lock keeps a search from recording a run while such a write is in flight:
                // the search takes the exclusive lock without waiting, and leaves the run unrecorded when it cannot.
                // The lock is taken before the record is read for clearing, so a record that a search committed
                // meanwhile is seen and cleared.
                """
                CREATE FUNCTION kaizen_forget_run_records() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock_shared(\(runRecordLockClass), hashint8(k.run_key))
                    FROM (SELECT DISTINCT run_key FROM changed) k;
                    UPDATE runs SET search_record = NULL
                    WHERE run_key IN (SELECT run_key FROM changed) AND search_record IS NOT NULL;
                    RETURN NULL;
                END
                $$
                """,
                // Any other change to the run's row (its info) clears the record with it. A search locks the rows
                // it records (without waiting) before reading them, so such a change cannot slip between the two.
                """
                CREATE FUNCTION kaizen_forget_run_record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.search_record IS NOT NULL AND NEW.search_record IS NOT DISTINCT FROM OLD.search_record THEN
                        NEW.search_record := NULL;
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER runs_update_forgets_record BEFORE UPDATE ON runs
                FOR EACH ROW EXECUTE FUNCTION kaizen_forget_run_record()
                """,
            ]
                + ["latest_metrics", "params", "tags", "run_outputs"].flatMap { table in
                    [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")].map { event, rows in
                        """
                        CREATE TRIGGER \(table)_\(event.lowercased())_forgets_run_records AFTER \(event) ON \(table)
                        REFERENCING \(rows) TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION kaizen_forget_run_records()
                        """
                    }
                }),
        PostgresMigration(
            name: "tracking-v4",
            statements: ["params", "tags"].flatMap { table in
                [
                    // The indexed prefix as a column of its own: PostgreSQL reads an index alone (an index-only scan)
                    // only when it holds every column a query names, and `left(value, 200)` names `value`, which the
                    // index cannot hold whole. An equality on a param over 10,000 runs then reads its 2,536 entries
                    // from the index alone in 0.4 ms, where visiting 199 pages of the table for them took 1.7 to 1.9.
                    """
                    ALTER TABLE \(table) ADD COLUMN value_prefix TEXT COLLATE "C"
                    GENERATED ALWAYS AS (left(value, \(indexedPrefix))) STORED
                    """,
                    "CREATE INDEX \(table)_by_prefix ON \(table)(key, value_prefix, run_key)",
                    "DROP INDEX \(table)_by_key",
                ]
            }),
        PostgresMigration(
            name: "tracking-v5",
            statements: [
                // Each run as a search writes it out (its JSON), with the version of the rendering that wrote it
                // (`RunRendering`), NULL until a search keeps it. Unlike the record, it holds the run's inputs.
                "ALTER TABLE runs ADD COLUMN search_document BYTEA, ADD COLUMN search_document_version TEXT COLLATE \"C\"",
                // The writes that clear the record clear the rendering with it.
                """
                CREATE OR REPLACE FUNCTION kaizen_forget_run_records() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock_shared(\(runRecordLockClass), hashint8(k.run_key))
                    FROM (SELECT DISTINCT run_key FROM changed) k;
                    UPDATE runs SET search_record = NULL, search_document = NULL
                    WHERE run_key IN (SELECT run_key FROM changed)
                      AND (search_record IS NOT NULL OR search_document IS NOT NULL);
                    RETURN NULL;
                END
                $$
                """,
                // An update of a run's row that keeps none of its kept values (a change of its info) clears them.
                """
                CREATE OR REPLACE FUNCTION kaizen_forget_run_record() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (NEW.search_record IS NOT NULL OR NEW.search_document IS NOT NULL)
                        AND NEW.search_record IS NOT DISTINCT FROM OLD.search_record
                        AND NEW.search_document IS NOT DISTINCT FROM OLD.search_document
                        AND NEW.search_document_version IS NOT DISTINCT FROM OLD.search_document_version THEN
                        NEW.search_record := NULL;
                        NEW.search_document := NULL;
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                // A run's inputs (rows of `inputs` whose destination is the run) and their tags are in its rendering,
                // not its record: a write to them clears the rendering, under the same lock.
                forgetRunDocuments(
                    function: "kaizen_forget_run_documents_of_inputs",
                    runs: "SELECT DISTINCT r.run_key FROM changed c JOIN runs r ON r.run_uuid = c.destination_id"
                        + " WHERE c.destination_type = 'RUN'"),
                forgetRunDocuments(
                    function: "kaizen_forget_run_documents_of_input_tags",
                    runs: """
                        SELECT DISTINCT r.run_key FROM changed c
                        JOIN inputs i ON i.input_uuid = c.input_uuid AND i.destination_type = 'RUN'
                        JOIN runs r ON r.run_uuid = i.destination_id
                        """),
            ]
                + [
                    ("inputs", "kaizen_forget_run_documents_of_inputs"),
                    ("input_tags", "kaizen_forget_run_documents_of_input_tags"),
                ].flatMap { table, function in
                    [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")].map { event, rows in
                        """
                        CREATE TRIGGER \(table)_\(event.lowercased())_forgets_run_documents AFTER \(event) ON \(table)
                        REFERENCING \(rows) TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
                        """
                    }
                }),
    ]

    /// A trigger function that clears the renderings of the runs that `runs` (a query on the transition table
    /// `changed`) selects, each under the shared lock on its record.
    private static func forgetRunDocuments(function: String, runs: String) -> String {
        """
        CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(\(runRecordLockClass), hashint8(k.run_key)) FROM (\(runs)) k;
            UPDATE runs SET search_document = NULL
            WHERE run_key IN (SELECT k.run_key FROM (\(runs)) k) AND search_document IS NOT NULL;
            RETURN NULL;
        END
        $$
        """
    }

    /// The first key of the advisory locks on runs' search records (`pg_advisory_xact_lock(class, key)`), "KZ"; the
    /// second is `hashint8(run_key)`.
    static let runRecordLockClass: Int32 = 0x4B5A
}
