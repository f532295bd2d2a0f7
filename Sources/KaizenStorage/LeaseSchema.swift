import GRDB

/// The SQLite table of leases over background work (see `SQLiteLeaseStore`).
enum LeaseSchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("leases-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE leases (
                        name TEXT PRIMARY KEY,
                        holder TEXT NOT NULL,
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
    }
}
