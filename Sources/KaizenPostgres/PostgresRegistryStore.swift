public import KaizenCore
public import KaizenRegistry
import Logging
import PostgresNIO

/// The PostgreSQL implementation of `RegistryStore`, for any number of replicas on one database.
///
/// Every change and its audit record commit in one transaction. The database keeps the invariants replicas could
/// otherwise break: model names and aliases are unique by key, and a new version's number comes from the model row's
/// counter, taken under that row's lock.
public struct PostgresRegistryStore: RegistryStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    var logger: Logger { database.logger }

    /// Appends an audit record inside the caller's transaction.
    static func audit(
        _ connection: PostgresConnection, _ logger: Logger, _ action: String, name: String, version: Int64? = nil,
        before: JSONValue? = nil, after: JSONValue? = nil, newName: String? = nil, now: Int64, actor: Actor
    ) async throws {
        try await connection.query(
            """
            INSERT INTO registry_audit(timestamp, actor, action, model_name, version, before, after, new_name)
            VALUES (\(now), \(actor.name), \(action), \(name), \(version), \(before?.jsonText), \(after?.jsonText),
                    \(newName))
            """, logger: logger)
    }

    /// The model's row; `lock` (`FOR UPDATE`, `FOR NO KEY UPDATE`…) holds it until the transaction ends.
    static func requireModel(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, lock: String = ""
    ) async throws -> NamedRow {
        guard
            let row = try await NamedRow.fetchOne(
                connection, "SELECT * FROM registered_models WHERE name = \(name) \(unescaped: lock)", logger: logger)
        else { throw RegistryError.modelNotFound(name) }
        return row
    }

    /// The live version's row; `lock` as for `requireModel`.
    static func requireVersion(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, _ version: Int64, lock: String = ""
    ) async throws -> NamedRow {
        guard
            let row = try await NamedRow.fetchOne(
                connection,
                """
                SELECT * FROM model_versions WHERE name = \(name) AND version = \(version) AND NOT deleted \(unescaped: lock)
                """, logger: logger)
        else { throw RegistryError.versionNotFound(name, version) }
        return row
    }

    // MARK: Registered models

    public func createRegisteredModel(
        name: String, description: String, tags: [Tag], now: Int64, actor: Actor
    ) async throws -> RegisteredModel {
        let logger = logger
        do {
            return try await database.write { connection in
                // A concurrent create of the same name waits for the first to commit, then inserts nothing.
                let inserted = try await connection.query(
                    """
                    INSERT INTO registered_models(name, creation_timestamp, last_updated_timestamp, description)
                    VALUES (\(name), \(now), \(now), \(description)) ON CONFLICT (name) DO NOTHING RETURNING name
                    """, logger: logger
                ).collect()
                guard !inserted.isEmpty else { throw RegistryError.modelExists(name) }
                for tag in tags {
                    try await connection.query(
                        """
                        INSERT INTO registered_model_tags(name, key, value) VALUES (\(name), \(tag.key), \(tag.value))
                        ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value
                        """, logger: logger)
                }
                try await Self.audit(
                    connection, logger, "create_registered_model", name: name,
                    after: .object([("description", .string(description)), ("tags", Self.tagsJSON(tags))]),
                    now: now, actor: actor)
                return try await Self.loadModel(
                    connection, logger, try await Self.requireModel(connection, logger, name))
            }
        } catch  where PostgresDatabase.isUniqueViolation(error) {
            throw RegistryError.modelExists(name)
        }
    }

    public func registeredModel(named name: String) async throws -> RegisteredModel? {
        let logger = logger
        return try await database.read { connection in
            guard
                let row = try await NamedRow.fetchOne(
                    connection, "SELECT * FROM registered_models WHERE name = \(name)", logger: logger)
            else { return nil }
            return try await Self.loadModel(connection, logger, row)
        }
    }

    public func renameRegisteredModel(
        name: String, to newName: String, now: Int64, actor: Actor
    ) async throws -> RegisteredModel {
        let logger = logger
        do {
            return try await database.write { connection in
                _ = try await Self.requireModel(connection, logger, name, lock: "FOR UPDATE")
                if newName != name {
                    let taken = try await connection.query(
                        "SELECT 1 FROM registered_models WHERE name = \(newName)", logger: logger
                    ).collect()
                    guard taken.isEmpty else { throw RegistryError.modelExists(newName) }
                    // Versions, tags and aliases follow through ON UPDATE CASCADE.
                    try await connection.query(
                        """
                        UPDATE registered_models SET name = \(newName), last_updated_timestamp = \(now)
                        WHERE name = \(name)
                        """, logger: logger)
                    try await connection.query(
                        "UPDATE model_versions SET last_updated_timestamp = \(now) WHERE name = \(newName)",
                        logger: logger)
                }
                // Recorded under the old name with a link to the new one, so each name's trail stays true and the new
                // name's trail reaches back through the rename (`auditEvents`).
                try await Self.audit(
                    connection, logger, "rename_registered_model", name: name,
                    before: .object([("name", .string(name))]), after: .object([("name", .string(newName))]),
                    newName: newName, now: now, actor: actor)
                return try await Self.loadModel(
                    connection, logger, try await Self.requireModel(connection, logger, newName))
            }
        } catch  where PostgresDatabase.isUniqueViolation(error) {
            throw RegistryError.modelExists(newName)
        }
    }

    public func updateRegisteredModel(
        name: String, description: String, now: Int64, actor: Actor
    ) async throws -> RegisteredModel {
        let logger = logger
        return try await database.write { connection in
            let row = try await Self.requireModel(connection, logger, name, lock: "FOR NO KEY UPDATE")
            let before = try row.get("description", as: String.self)
            try await connection.query(
                """
                UPDATE registered_models SET description = \(description), last_updated_timestamp = \(now)
                WHERE name = \(name)
                """, logger: logger)
            try await Self.audit(
                connection, logger, "update_registered_model", name: name,
                before: .object([("description", .string(before))]),
                after: .object([("description", .string(description))]), now: now, actor: actor)
            return try await Self.loadModel(connection, logger, try await Self.requireModel(connection, logger, name))
        }
    }

    public func deleteRegisteredModel(name: String, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            let model = try await Self.loadModel(
                connection, logger, try await Self.requireModel(connection, logger, name, lock: "FOR UPDATE"))
            var versions: Int64 = 0
            for try await count in try await connection.query(
                "SELECT count(*) FROM model_versions WHERE name = \(name) AND NOT deleted", logger: logger
            ).decode(Int64.self) {
                versions = count
            }
            // Versions, their tags, the model's tags and aliases go through ON DELETE CASCADE.
            try await connection.query("DELETE FROM registered_models WHERE name = \(name)", logger: logger)
            try await Self.audit(
                connection, logger, "delete_registered_model", name: name,
                before: .object([
                    ("description", .string(model.description)), ("tags", Self.tagsJSON(model.tags)),
                    ("versions", .integer(versions)),
                    ("aliases", .object(model.aliases.map { ($0.alias, .string(String($0.version))) })),
                ]), now: now, actor: actor)
        }
    }

    public func setRegisteredModelTag(name: String, tag: Tag, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            _ = try await Self.requireModel(connection, logger, name, lock: "FOR NO KEY UPDATE")
            let before = try await Self.modelTag(connection, logger, name, tag.key)
            try await connection.query(
                """
                INSERT INTO registered_model_tags(name, key, value) VALUES (\(name), \(tag.key), \(tag.value))
                ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            try await Self.audit(
                connection, logger, "set_registered_model_tag", name: name,
                before: before.map { .object([(tag.key, .string($0))]) },
                after: .object([(tag.key, .string(tag.value))]), now: now, actor: actor)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            _ = try await Self.requireModel(connection, logger, name, lock: "FOR NO KEY UPDATE")
            let before = try await Self.modelTag(connection, logger, name, key)
            try await connection.query(
                "DELETE FROM registered_model_tags WHERE name = \(name) AND key = \(key)", logger: logger)
            try await Self.audit(
                connection, logger, "delete_registered_model_tag", name: name,
                before: before.map { .object([(key, .string($0))]) }, now: now, actor: actor)
        }
    }

    static func modelTag(
        _ connection: PostgresConnection, _ logger: Logger, _ name: String, _ key: String
    ) async throws -> String? {
        for try await value in try await connection.query(
            "SELECT value FROM registered_model_tags WHERE name = \(name) AND key = \(key)", logger: logger
        ).decode(String.self) {
            return value
        }
        return nil
    }

    public func latestVersions(name: String, stages: [ModelStage]) async throws -> [ModelVersion] {
        let logger = logger
        return try await database.read { connection in
            _ = try await Self.requireModel(connection, logger, name)
            return try await Self.latest(connection, logger, names: [name], stages: stages, withAliases: true)[name]
                ?? []
        }
    }

    static func tagsJSON(_ tags: [Tag]) -> JSONValue {
        .object(tags.map { ($0.key, .string($0.value)) })
    }
}
