import GRDB

/// The SQLite schema of the model registry, audit trail and webhooks.
enum RegistrySchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE registered_models (
                        name TEXT PRIMARY KEY,
                        creation_timestamp INTEGER NOT NULL,
                        last_updated_timestamp INTEGER NOT NULL,
                        description TEXT NOT NULL DEFAULT ''
                    ) WITHOUT ROWID;
                    CREATE TABLE registered_model_tags (
                        name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (name, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE model_versions (
                        name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                        version INTEGER NOT NULL,
                        creation_timestamp INTEGER NOT NULL,
                        last_updated_timestamp INTEGER NOT NULL,
                        current_stage TEXT NOT NULL,
                        description TEXT,
                        source TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        run_link TEXT NOT NULL,
                        storage_location TEXT,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (name, version)
                    ) WITHOUT ROWID;
                    CREATE INDEX model_versions_by_stage ON model_versions(name, deleted, current_stage, version);
                    CREATE INDEX model_versions_by_run ON model_versions(run_id);
                    CREATE TABLE model_version_tags (
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (name, version, key),
                        FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
                            ON UPDATE CASCADE ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    CREATE TABLE registered_model_aliases (
                        name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
                        alias TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        PRIMARY KEY (name, alias)
                    ) WITHOUT ROWID;
                    CREATE TABLE registry_audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        timestamp INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        model_name TEXT NOT NULL,
                        version INTEGER,
                        before TEXT,
                        after TEXT,
                        new_name TEXT
                    );
                    CREATE INDEX registry_audit_renames ON registry_audit(new_name) WHERE new_name IS NOT NULL;
                    CREATE INDEX registry_audit_by_model ON registry_audit(model_name, id);
                    CREATE TABLE webhooks (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        description TEXT NOT NULL,
                        url TEXT NOT NULL,
                        events TEXT NOT NULL,
                        secret TEXT NOT NULL,
                        status TEXT NOT NULL,
                        creation_timestamp INTEGER NOT NULL,
                        last_updated_timestamp INTEGER NOT NULL,
                        deleted_timestamp INTEGER
                    ) WITHOUT ROWID;
                    CREATE TABLE webhook_deliveries (
                        id TEXT PRIMARY KEY,
                        webhook_id TEXT NOT NULL,
                        event TEXT NOT NULL,
                        body TEXT NOT NULL,
                        timestamp INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL,
                        response_status INTEGER,
                        error TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_at);
                    CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries(status);
                    """)
        }
        // Claims, so that a replica resuming unfinished deliveries takes each at most once (PostgreSQL's twin).
        migrator.registerMigration("registry-v2-delivery-claims") { db in
            try db.execute(
                sql: """
                    ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
                    ALTER TABLE webhook_deliveries ADD COLUMN claimed_until INTEGER;
                    """)
        }
    }
}
