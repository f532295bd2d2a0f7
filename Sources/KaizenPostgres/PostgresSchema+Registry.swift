extension PostgresSchema {
    /// The registry tables: registered models, versions, tags, aliases, the audit trail and webhooks.
    ///
    /// A model row carries `last_version`, the highest number it ever gave out: a new version takes the next one
    /// under the model row's lock, so concurrent creates from any replica get unique, contiguous numbers without
    /// reading the versions (numbers are never reused; a deleted version keeps its row).
    static let registry: [PostgresMigration] = [
        PostgresMigration(
            name: "registry-v1",
            statements: [
                """
                CREATE TABLE registered_models (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    creation_timestamp BIGINT NOT NULL,
                    last_updated_timestamp BIGINT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    last_version BIGINT NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX registered_models_by_update ON registered_models(last_updated_timestamp, name)",
                """
                CREATE TABLE registered_model_tags (
                    name TEXT COLLATE "C" NOT NULL
                        REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (name, key)
                )
                """,
                """
                CREATE TABLE model_versions (
                    name TEXT COLLATE "C" NOT NULL
                        REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                    version BIGINT NOT NULL,
                    creation_timestamp BIGINT NOT NULL,
                    last_updated_timestamp BIGINT NOT NULL,
                    current_stage TEXT COLLATE "C" NOT NULL,
                    description TEXT COLLATE "C",
                    source TEXT COLLATE "C" NOT NULL,
                    run_id TEXT COLLATE "C" NOT NULL,
                    run_link TEXT NOT NULL,
                    storage_location TEXT,
                    deleted BOOLEAN NOT NULL DEFAULT FALSE,
                    PRIMARY KEY (name, version)
                )
                """,
                """
                CREATE INDEX model_versions_by_stage ON model_versions(name, current_stage, version)
                WHERE NOT deleted
                """,
                "CREATE INDEX model_versions_by_run ON model_versions(run_id)",
                "CREATE INDEX model_versions_by_update ON model_versions(last_updated_timestamp)",
                """
                CREATE TABLE model_version_tags (
                    name TEXT COLLATE "C" NOT NULL,
                    version BIGINT NOT NULL,
                    key TEXT COLLATE "C" NOT NULL,
                    value TEXT COLLATE "C" NOT NULL,
                    PRIMARY KEY (name, version, key),
                    FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
                        ON UPDATE CASCADE ON DELETE CASCADE
                )
                """,
                """
                CREATE TABLE registered_model_aliases (
                    name TEXT COLLATE "C" NOT NULL
                        REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                    alias TEXT COLLATE "C" NOT NULL,
                    version BIGINT NOT NULL,
                    PRIMARY KEY (name, alias)
                )
                """,
                "CREATE INDEX registered_model_aliases_by_version ON registered_model_aliases(name, version)",
                """
                CREATE TABLE registry_audit (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    timestamp BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    model_name TEXT COLLATE "C" NOT NULL,
                    version BIGINT,
                    before TEXT,
                    after TEXT,
                    new_name TEXT COLLATE "C"
                )
                """,
                "CREATE INDEX registry_audit_renames ON registry_audit(new_name, id) WHERE new_name IS NOT NULL",
                "CREATE INDEX registry_audit_by_model ON registry_audit(model_name, id)",
                """
                CREATE TABLE webhooks (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    status TEXT COLLATE "C" NOT NULL,
                    creation_timestamp BIGINT NOT NULL,
                    last_updated_timestamp BIGINT NOT NULL,
                    deleted_timestamp BIGINT
                )
                """,
                // `seq` orders deliveries recorded in the same millisecond by when they were last recorded, as SQLite's
                // rowid does; `claimed_by`/`claimed_until` hold a pending delivery for the replica resuming it.
                """
                CREATE TABLE webhook_deliveries (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    seq BIGINT GENERATED BY DEFAULT AS IDENTITY,
                    webhook_id TEXT COLLATE "C" NOT NULL,
                    event TEXT NOT NULL,
                    body TEXT NOT NULL,
                    timestamp BIGINT NOT NULL,
                    status TEXT COLLATE "C" NOT NULL,
                    attempts BIGINT NOT NULL,
                    response_status BIGINT,
                    error TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    claimed_by TEXT,
                    claimed_until BIGINT
                )
                """,
                "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_at, seq)",
                "CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(created_at) WHERE status = 'pending'",
            ])
    ]
}
