public import GRDB
public import KaizenCore
public import KaizenRegistry

/// The SQLite implementation of `RegistryStore` and `WebhookStore`.
public struct SQLiteRegistryStore: RegistryStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Appends an audit record inside the caller's transaction.
    static func audit(
        _ db: Database, _ action: String, name: String, version: Int64? = nil, before: JSONValue? = nil,
        after: JSONValue? = nil, now: Int64, actor: Actor
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO registry_audit(timestamp, actor, action, model_name, version, before, after)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now, actor.name, action, name, version, before?.jsonText, after?.jsonText])
    }

    static func requireModel(_ db: Database, _ name: String) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM registered_models WHERE name = ?", arguments: [name])
        else {
            throw RegistryError.modelNotFound(name)
        }
        return row
    }

    static func requireVersion(_ db: Database, _ name: String, _ version: Int64) throws -> Row {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ? AND deleted = 0",
                arguments: [name, version])
        else { throw RegistryError.versionNotFound(name, version) }
        return row
    }

    static func touchModel(_ db: Database, _ name: String, _ now: Int64) throws {
        try db.execute(
            sql: "UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?", arguments: [now, name])
    }

    // MARK: Loading

    static func loadModel(_ db: Database, _ row: Row) throws -> RegisteredModel {
        try loadModels(db, [row])[0]
    }

    /// Loads a page of models with a fixed number of queries, in the order of `rows`.
    static func loadModels(_ db: Database, _ rows: [Row]) throws -> [RegisteredModel] {
        let names = rows.map { $0["name"] as String }
        guard !names.isEmpty else { return [] }
        let marks = RunLoader.placeholders(names.count)
        let arguments = StatementArguments(names)
        var tags: [String: [Tag]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT name, key, value FROM registered_model_tags WHERE name IN (\(marks)) ORDER BY name, key",
            arguments: arguments)
        {
            tags[row[0], default: []].append(Tag(key: row[1], value: row[2]))
        }
        var aliases: [String: [ModelAlias]] = [:]
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT name, alias, version FROM registered_model_aliases WHERE name IN (\(marks)) ORDER BY name, alias",
            arguments: arguments)
        {
            aliases[row[0], default: []].append(ModelAlias(alias: row[1], version: row[2]))
        }
        var versionTags: [String: [Tag]] = [:]
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT name, version, key, value FROM model_version_tags WHERE name IN (\(marks)) ORDER BY name, version, key",
            arguments: arguments)
        {
            let version: Int64 = row[1]
            versionTags["\(row[0] as String)\u{0}\(version)", default: []].append(Tag(key: row[2], value: row[3]))
        }
        var latest: [String: [ModelVersion]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM model_versions v
                WHERE v.name IN (\(marks)) AND v.deleted = 0
                  AND v.version = (SELECT max(version) FROM model_versions
                                   WHERE name = v.name AND deleted = 0 AND current_stage = v.current_stage)
                ORDER BY v.name, v.version
                """, arguments: arguments)
        {
            let name: String = row["name"]
            let version: Int64 = row["version"]
            latest[name, default: []].append(
                ModelVersion(
                    name: name, version: version, creationTimestamp: row["creation_timestamp"],
                    lastUpdatedTimestamp: row["last_updated_timestamp"],
                    currentStage: ModelStage(rawValue: row["current_stage"]) ?? .none, description: row["description"],
                    source: row["source"], runID: row["run_id"], runLink: row["run_link"],
                    tags: versionTags["\(name)\u{0}\(version)"] ?? [], storageLocation: row["storage_location"]))
        }
        return rows.map { row in
            let name: String = row["name"]
            return RegisteredModel(
                name: name, creationTimestamp: row["creation_timestamp"],
                lastUpdatedTimestamp: row["last_updated_timestamp"],
                description: row["description"], tags: tags[name] ?? [], aliases: aliases[name] ?? [],
                latestVersions: latest[name] ?? [])
        }
    }

    static func loadVersion(_ db: Database, _ row: Row, withAliases: Bool) throws -> ModelVersion {
        let name: String = row["name"]
        let version: Int64 = row["version"]
        let tags = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key"),
            arguments: [name, version]
        ).map { Tag(key: $0[0], value: $0[1]) }
        let aliases =
            withAliases
            ? try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias"),
                arguments: [name, version]) : []
        return ModelVersion(
            name: name, version: version, creationTimestamp: row["creation_timestamp"],
            lastUpdatedTimestamp: row["last_updated_timestamp"],
            currentStage: ModelStage(rawValue: row["current_stage"]) ?? .none, description: row["description"],
            source: row["source"], runID: row["run_id"], runLink: row["run_link"], tags: tags, aliases: aliases,
            storageLocation: row["storage_location"])
    }

    static func latest(_ db: Database, name: String, stages: [ModelStage], withAliases: Bool) throws -> [ModelVersion] {
        // One indexed probe per stage: the newest live version in it.
        let statement = try db.cachedStatement(
            sql: """
                SELECT * FROM model_versions
                WHERE name = ? AND deleted = 0 AND current_stage = ? ORDER BY version DESC LIMIT 1
                """)
        var versions: [ModelVersion] = []
        for stage in stages {
            if let row = try Row.fetchOne(statement, arguments: [name, stage.rawValue]) {
                versions.append(try loadVersion(db, row, withAliases: withAliases))
            }
        }
        return versions.sorted { $0.version < $1.version }
    }

    static func versionJSON(_ version: ModelVersion) -> JSONValue {
        .object([("current_stage", .string(version.currentStage.rawValue))])
    }

    // MARK: Registered models

    public func createRegisteredModel(
        name: String, description: String, tags: [Tag], now: Int64, actor: Actor
    )
        async throws -> RegisteredModel
    {
        do {
            return try await pool.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [name])
                    == true
                {
                    throw RegistryError.modelExists(name)
                }
                try db.execute(
                    sql: """
                        INSERT INTO registered_models(name, creation_timestamp, last_updated_timestamp, description)
                        VALUES (?, ?, ?, ?)
                        """, arguments: [name, now, now, description])
                for tag in tags {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO registered_model_tags(name, key, value) VALUES (?, ?, ?)",
                        arguments: [name, tag.key, tag.value])
                }
                try Self.audit(
                    db, "create_registered_model", name: name,
                    after: .object([("description", .string(description)), ("tags", RegistryJSONFields.tags(tags))]),
                    now: now, actor: actor)
                return try Self.loadModel(db, try Self.requireModel(db, name))
            }
        } catch {
            throw SQLiteTrackingStore.translate(error, duplicate: RegistryError.modelExists(name))
        }
    }

    public func registeredModel(named name: String) async throws -> RegisteredModel? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(db, sql: "SELECT * FROM registered_models WHERE name = ?", arguments: [name])
            else { return nil }
            return try Self.loadModel(db, row)
        }
    }

    public func renameRegisteredModel(
        name: String, to newName: String, now: Int64, actor: Actor
    ) async throws
        -> RegisteredModel
    {
        do {
            return try await pool.write { db in
                _ = try Self.requireModel(db, name)
                if newName != name {
                    if try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [newName]) == true
                    {
                        throw RegistryError.modelExists(newName)
                    }
                    try db.execute(
                        sql: "UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE name = ?",
                        arguments: [newName, now, name])
                    try db.execute(
                        sql: "UPDATE model_versions SET last_updated_timestamp = ? WHERE name = ?",
                        arguments: [now, newName])
                }
                // Recorded under the old name with a link to the new one, so each name's trail stays true and
                // the new name's trail reaches back through the rename (`auditEvents`).
                try Self.audit(
                    db, "rename_registered_model", name: name, before: .object([("name", .string(name))]),
                    after: .object([("name", .string(newName))]), now: now, actor: actor)
                try db.execute(
                    sql: "UPDATE registry_audit SET new_name = ? WHERE id = ?",
                    arguments: [newName, db.lastInsertedRowID])
                return try Self.loadModel(db, try Self.requireModel(db, newName))
            }
        } catch {
            throw SQLiteTrackingStore.translate(error, duplicate: RegistryError.modelExists(newName))
        }
    }

    public func updateRegisteredModel(
        name: String, description: String, now: Int64, actor: Actor
    ) async throws
        -> RegisteredModel
    {
        try await pool.write { db in
            let row = try Self.requireModel(db, name)
            let before: String = row["description"]
            try db.execute(
                sql: "UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE name = ?",
                arguments: [description, now, name])
            try Self.audit(
                db, "update_registered_model", name: name, before: .object([("description", .string(before))]),
                after: .object([("description", .string(description))]), now: now, actor: actor)
            return try Self.loadModel(db, try Self.requireModel(db, name))
        }
    }

    public func deleteRegisteredModel(name: String, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            let model = try Self.loadModel(db, try Self.requireModel(db, name))
            let versions =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM model_versions WHERE name = ? AND deleted = 0", arguments: [name])
                ?? 0
            try db.execute(sql: "DELETE FROM model_version_tags WHERE name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM registered_models WHERE name = ?", arguments: [name])
            try Self.audit(
                db, "delete_registered_model", name: name,
                before: .object([
                    ("description", .string(model.description)), ("tags", RegistryJSONFields.tags(model.tags)),
                    ("versions", .integer(Int64(versions))),
                    ("aliases", .object(model.aliases.map { ($0.alias, .string(String($0.version))) })),
                ]), now: now, actor: actor)
        }
    }

    public func setRegisteredModelTag(name: String, tag: Tag, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            _ = try Self.requireModel(db, name)
            let before = try String.fetchOne(
                db, sql: "SELECT value FROM registered_model_tags WHERE name = ? AND key = ?",
                arguments: [name, tag.key])
            try db.execute(
                sql: "INSERT OR REPLACE INTO registered_model_tags(name, key, value) VALUES (?, ?, ?)",
                arguments: [name, tag.key, tag.value])
            try Self.audit(
                db, "set_registered_model_tag", name: name, before: before.map { .object([(tag.key, .string($0))]) },
                after: .object([(tag.key, .string(tag.value))]), now: now, actor: actor)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            _ = try Self.requireModel(db, name)
            let before = try String.fetchOne(
                db, sql: "SELECT value FROM registered_model_tags WHERE name = ? AND key = ?", arguments: [name, key])
            try db.execute(sql: "DELETE FROM registered_model_tags WHERE name = ? AND key = ?", arguments: [name, key])
            try Self.audit(
                db, "delete_registered_model_tag", name: name, before: before.map { .object([(key, .string($0))]) },
                now: now, actor: actor)
        }
    }

    public func latestVersions(name: String, stages: [ModelStage]) async throws -> [ModelVersion] {
        try await pool.read { db in
            _ = try Self.requireModel(db, name)
            return try Self.latest(db, name: name, stages: stages, withAliases: true)
        }
    }
}
