public import KaizenCore
public import KaizenRegistry
import Logging
import PostgresNIO

extension PostgresRegistryStore {
    public func createModelVersion(_ draft: ModelVersionDraft, now: Int64, actor: Actor) async throws -> ModelVersion {
        let logger = logger
        return try await database.write { connection in
            // The model row's counter gives the number and locks the row: concurrent creates queue here and each
            // gets the next number. Numbers are never reused: deleted versions keep theirs.
            var next: Int64?
            for try await number in try await connection.query(
                """
                UPDATE registered_models SET last_version = last_version + 1, last_updated_timestamp = \(now)
                WHERE name = \(draft.name) RETURNING last_version
                """, logger: logger
            ).decode(Int64.self) {
                next = number
            }
            guard let next else { throw RegistryError.modelNotFound(draft.name) }
            try await connection.query(
                """
                INSERT INTO model_versions(name, version, creation_timestamp, last_updated_timestamp, current_stage,
                                           description, source, run_id, run_link, storage_location)
                VALUES (\(draft.name), \(next), \(now), \(now), 'None', \(draft.description), \(draft.source),
                        \(draft.runID), \(draft.runLink), \(draft.storageLocation))
                """, logger: logger)
            for tag in draft.tags {
                try await connection.query(
                    """
                    INSERT INTO model_version_tags(name, version, key, value)
                    VALUES (\(draft.name), \(next), \(tag.key), \(tag.value))
                    ON CONFLICT (name, version, key) DO UPDATE SET value = EXCLUDED.value
                    """, logger: logger)
            }
            try await Self.audit(
                connection, logger, "create_model_version", name: draft.name, version: next,
                after: .object([
                    ("source", .string(draft.source)), ("run_id", .string(draft.runID)), ("current_stage", "None"),
                ]), now: now, actor: actor)
            return try await Self.loadVersion(
                connection, logger, try await Self.requireVersion(connection, logger, draft.name, next))
        }
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion? {
        let logger = logger
        return try await database.read { connection in
            guard
                let row = try await NamedRow.fetchOne(
                    connection,
                    "SELECT * FROM model_versions WHERE name = \(name) AND version = \(version) AND NOT deleted",
                    logger: logger)
            else { return nil }
            return try await Self.loadVersion(connection, logger, row)
        }
    }

    public func updateModelVersion(
        name: String, version: Int64, description: String?, now: Int64, actor: Actor
    ) async throws -> ModelVersion {
        let logger = logger
        return try await database.write { connection in
            let row = try await Self.requireVersion(connection, logger, name, version, lock: "FOR NO KEY UPDATE")
            let before = try row.get("description", as: String?.self)
            try await connection.query(
                """
                UPDATE model_versions SET description = \(description), last_updated_timestamp = \(now)
                WHERE name = \(name) AND version = \(version)
                """, logger: logger)
            try await Self.audit(
                connection, logger, "update_model_version", name: name, version: version,
                before: .object([("description", before.map { .string($0) } ?? .null)]),
                after: .object([("description", description.map { .string($0) } ?? .null)]), now: now, actor: actor)
            return try await Self.loadVersion(
                connection, logger, try await Self.requireVersion(connection, logger, name, version))
        }
    }

    /// Locks the model row and sets its update time, for a change to its versions; the lock orders such changes
    /// (model row first, then version rows), so they cannot deadlock. Throws `versionNotFound` for a missing model,
    /// as a missing version would.
    static func touchModel(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, version: Int64, now: Int64
    ) async throws {
        let touched = try await connection.query(
            "UPDATE registered_models SET last_updated_timestamp = \(now) WHERE name = \(name) RETURNING name",
            logger: logger
        ).collect()
        guard !touched.isEmpty else { throw RegistryError.versionNotFound(name, version) }
    }

    public func deleteModelVersion(name: String, version: Int64, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            try await Self.touchModel(connection, logger, name, version: version, now: now)
            let row = try await Self.requireVersion(connection, logger, name, version, lock: "FOR UPDATE")
            let stage = try row.get("current_stage", as: String.self)
            let source = try row.get("source", as: String.self)
            try await connection.query(
                """
                UPDATE model_versions SET deleted = TRUE, current_stage = 'Deleted_Internal',
                                          last_updated_timestamp = \(now)
                WHERE name = \(name) AND version = \(version)
                """, logger: logger)
            try await connection.query(
                "DELETE FROM registered_model_aliases WHERE name = \(name) AND version = \(version)", logger: logger)
            try await Self.audit(
                connection, logger, "delete_model_version", name: name, version: version,
                before: .object([("current_stage", .string(stage)), ("source", .string(source))]), now: now,
                actor: actor)
        }
    }

    public func transitionStage(
        name: String, version: Int64, to stage: ModelStage, archiveExisting: Bool, now: Int64, actor: Actor
    ) async throws -> ModelVersion {
        let logger = logger
        return try await database.write { connection in
            try await Self.touchModel(connection, logger, name, version: version, now: now)
            let row = try await Self.requireVersion(connection, logger, name, version, lock: "FOR NO KEY UPDATE")
            let from = try row.get("current_stage", as: String.self)
            var archived: [Int64] = []
            if archiveExisting {
                for try await other in try await connection.query(
                    """
                    UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = \(now)
                    WHERE name = \(name) AND NOT deleted AND current_stage = \(stage.rawValue) AND version <> \(version)
                    RETURNING version
                    """, logger: logger
                ).decode(Int64.self) {
                    archived.append(other)
                }
                archived.sort()
                for other in archived {
                    try await Self.audit(
                        connection, logger, "transition_model_version_stage", name: name, version: other,
                        before: .object([("current_stage", .string(stage.rawValue))]),
                        after: .object([("current_stage", "Archived")]), now: now, actor: actor)
                }
            }
            try await connection.query(
                """
                UPDATE model_versions SET current_stage = \(stage.rawValue), last_updated_timestamp = \(now)
                WHERE name = \(name) AND version = \(version)
                """, logger: logger)
            try await Self.audit(
                connection, logger, "transition_model_version_stage", name: name, version: version,
                before: .object([("current_stage", .string(from))]),
                after: .object([
                    ("current_stage", .string(stage.rawValue)),
                    ("archived_versions", .array(archived.map { .string(String($0)) })),
                ]), now: now, actor: actor)
            return try await Self.loadVersion(
                connection, logger, try await Self.requireVersion(connection, logger, name, version))
        }
    }

    static func versionTag(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, _ version: Int64, _ key: String
    ) async throws -> String? {
        for try await value in try await connection.query(
            "SELECT value FROM model_version_tags WHERE name = \(name) AND version = \(version) AND key = \(key)",
            logger: logger
        ).decode(String.self) {
            return value
        }
        return nil
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            _ = try await Self.requireVersion(connection, logger, name, version, lock: "FOR NO KEY UPDATE")
            let before = try await Self.versionTag(connection, logger, name, version, tag.key)
            try await connection.query(
                """
                INSERT INTO model_version_tags(name, version, key, value)
                VALUES (\(name), \(version), \(tag.key), \(tag.value))
                ON CONFLICT (name, version, key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            try await Self.audit(
                connection, logger, "set_model_version_tag", name: name, version: version,
                before: before.map { .object([(tag.key, .string($0))]) },
                after: .object([(tag.key, .string(tag.value))]), now: now, actor: actor)
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String, now: Int64, actor: Actor) async throws
    {
        let logger = logger
        try await database.write { connection in
            _ = try await Self.requireVersion(connection, logger, name, version, lock: "FOR NO KEY UPDATE")
            let before = try await Self.versionTag(connection, logger, name, version, key)
            try await connection.query(
                "DELETE FROM model_version_tags WHERE name = \(name) AND version = \(version) AND key = \(key)",
                logger: logger)
            try await Self.audit(
                connection, logger, "delete_model_version_tag", name: name, version: version,
                before: before.map { .object([(key, .string($0))]) }, now: now, actor: actor)
        }
    }

    static func aliasVersion(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, _ alias: String, lock: Bool
    ) async throws -> Int64? {
        let query: PostgresQuery =
            lock
            ? "SELECT version FROM registered_model_aliases WHERE name = \(name) AND alias = \(alias) FOR UPDATE"
            : "SELECT version FROM registered_model_aliases WHERE name = \(name) AND alias = \(alias)"
        for try await version in try await connection.query(query, logger: logger).decode(Int64.self) {
            return version
        }
        return nil
    }

    public func setAlias(name: String, alias: String, version: Int64, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            // A share lock on the version: a concurrent delete of it (which removes its aliases) waits for this.
            _ = try await Self.requireVersion(connection, logger, name, version, lock: "FOR SHARE")
            let before = try await Self.aliasVersion(connection, logger, name, alias, lock: true)
            try await connection.query(
                """
                INSERT INTO registered_model_aliases(name, alias, version) VALUES (\(name), \(alias), \(version))
                ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version
                """, logger: logger)
            try await Self.audit(
                connection, logger, "set_registered_model_alias", name: name, version: version,
                before: before.map { .object([("alias", .string(alias)), ("version", .string(String($0)))]) },
                after: .object([("alias", .string(alias)), ("version", .string(String(version)))]), now: now,
                actor: actor)
        }
    }

    public func deleteAlias(name: String, alias: String, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            _ = try await Self.requireModel(connection, logger, name)
            let before = try await Self.aliasVersion(connection, logger, name, alias, lock: true)
            try await connection.query(
                "DELETE FROM registered_model_aliases WHERE name = \(name) AND alias = \(alias)", logger: logger)
            try await Self.audit(
                connection, logger, "delete_registered_model_alias", name: name, version: before,
                before: before.map { .object([("alias", .string(alias)), ("version", .string(String($0)))]) },
                now: now, actor: actor)
        }
    }

    public func version(name: String, alias: String) async throws -> ModelVersion? {
        let logger = logger
        return try await database.read { connection in
            _ = try await Self.requireModel(connection, logger, name)
            guard
                let row = try await NamedRow.fetchOne(
                    connection,
                    """
                    SELECT v.* FROM registered_model_aliases a
                    JOIN model_versions v ON v.name = a.name AND v.version = a.version AND NOT v.deleted
                    WHERE a.name = \(name) AND a.alias = \(alias)
                    """, logger: logger)
            else { return nil }
            return try await Self.loadVersion(connection, logger, row)
        }
    }
}
