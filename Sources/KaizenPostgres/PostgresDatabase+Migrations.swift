import Logging
import PostgresNIO

/// One step of the schema: statements run in one transaction, recorded by name so that it runs once.
struct PostgresMigration: Sendable {
    let name: String
    let statements: [String]
}

extension PostgresDatabase {
    /// An application-wide key for `pg_advisory_lock`: replicas starting together on an empty database queue on it,
    /// so the first migrates and the others find the work done.
    static let migrationLockKey: Int64 = 0x4B41_495A_454E  // "KAIZEN"

    /// Applies the migrations the database has not recorded, each in its own transaction, holding the advisory lock
    /// throughout. A restart on an up-to-date database runs none. `schema`, when given, is created first, under the
    /// same lock (two `CREATE SCHEMA IF NOT EXISTS` at once can collide). `last`, when given, is the last migration to
    /// apply: tests upgrade a database written by an earlier schema with it.
    func migrate(creatingSchema schema: String? = nil, through last: String? = nil) async throws {
        var migrations = PostgresSchema.migrations
        if let last, let end = migrations.firstIndex(where: { $0.name == last }) {
            migrations.removeSubrange((end + 1)...)
        }
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLockKey))", logger: logger)
            do {
                if let schema {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
                }
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS kaizen_migrations (
                        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied = Set<String>()
                for try await name in try await connection.query(
                    "SELECT name FROM kaizen_migrations", logger: logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                for migration in migrations where !applied.contains(migration.name) {
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        for statement in migration.statements {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO kaizen_migrations(name) VALUES (\(migration.name))", logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                    logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: logger)
        }
    }

    /// The names of the migrations applied, in the order they were.
    public func appliedMigrations() async throws -> [String] {
        try await read { connection in
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT name FROM kaizen_migrations ORDER BY applied_at, name", logger: logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }
}

extension PostgresDatabase {
    /// Drops the schema this database works in (its `search_path`) with everything in it: for tests that each get a
    /// schema of their own.
    public func dropSchema() async throws {
        try await read { connection in
            let rows = try await connection.query("SELECT current_schema()", logger: logger).decode(String?.self)
            for try await schema in rows {
                guard let schema, schema != "public" else { continue }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(schema)\" CASCADE"), logger: logger)
            }
        }
    }
}

extension PostgresDatabase {
    /// The names of every migration this build knows, in order.
    public static var migrationNames: [String] {
        PostgresSchema.migrations.map(\.name)
    }

    /// The schema this database works in.
    public func currentSchema() async throws -> String {
        try await read { connection in
            for try await schema in try await connection.query("SELECT current_schema()", logger: logger).decode(
                String.self)
            {
                return schema
            }
            throw PostgresStoreError("The server reports no current schema")
        }
    }
}
