import GRDB
public import KaizenCore
public import KaizenRegistry
import KaizenTracking

extension SQLiteRegistryStore {
    public func createModelVersion(_ draft: ModelVersionDraft, now: Int64, actor: Actor) async throws -> ModelVersion {
        try await pool.write { db in
            _ = try Self.requireModel(db, draft.name)
            // Numbers are never reused: deleted versions keep theirs.
            let next =
                (try Int64.fetchOne(
                    db, sql: "SELECT max(version) FROM model_versions WHERE name = ?", arguments: [draft.name]) ?? 0)
                + 1
            try db.execute(
                sql: """
                    INSERT INTO model_versions(name, version, creation_timestamp, last_updated_timestamp, current_stage,
                                               description, source, run_id, run_link, storage_location)
                    VALUES (?, ?, ?, ?, 'None', ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    draft.name, next, now, now, draft.description, draft.source, draft.runID, draft.runLink,
                    draft.storageLocation,
                ])
            for tag in draft.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)",
                    arguments: [draft.name, next, tag.key, tag.value])
            }
            try Self.touchModel(db, draft.name, now)
            try Self.audit(
                db, "create_model_version", name: draft.name, version: next,
                after: .object([
                    ("source", .string(draft.source)), ("run_id", .string(draft.runID)), ("current_stage", "None"),
                ]), now: now, actor: actor)
            return try Self.loadVersion(db, try Self.requireVersion(db, draft.name, next), withAliases: true)
        }
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ? AND deleted = 0",
                    arguments: [name, version])
            else { return nil }
            return try Self.loadVersion(db, row, withAliases: true)
        }
    }

    public func updateModelVersion(
        name: String, version: Int64, description: String?, now: Int64, actor: Actor
    )
        async throws -> ModelVersion
    {
        try await pool.write { db in
            let row = try Self.requireVersion(db, name, version)
            let before: String? = row["description"]
            try db.execute(
                sql:
                    "UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?",
                arguments: [description, now, name, version])
            try Self.audit(
                db, "update_model_version", name: name, version: version,
                before: .object([("description", before.map { .string($0) } ?? .null)]),
                after: .object([("description", description.map { .string($0) } ?? .null)]), now: now, actor: actor)
            return try Self.loadVersion(db, try Self.requireVersion(db, name, version), withAliases: true)
        }
    }

    public func deleteModelVersion(name: String, version: Int64, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            let row = try Self.requireVersion(db, name, version)
            let stage: String = row["current_stage"]
            let source: String = row["source"]
            try db.execute(
                sql: """
                    UPDATE model_versions SET deleted = 1, current_stage = 'Deleted_Internal', last_updated_timestamp = ?
                    WHERE name = ? AND version = ?
                    """, arguments: [now, name, version])
            try db.execute(
                sql: "DELETE FROM registered_model_aliases WHERE name = ? AND version = ?", arguments: [name, version])
            try Self.touchModel(db, name, now)
            try Self.audit(
                db, "delete_model_version", name: name, version: version,
                before: .object([("current_stage", .string(stage)), ("source", .string(source))]), now: now,
                actor: actor)
        }
    }

    public func transitionStage(
        name: String, version: Int64, to stage: ModelStage, archiveExisting: Bool, now: Int64, actor: Actor
    ) async throws -> ModelVersion {
        try await pool.write { db in
            let row = try Self.requireVersion(db, name, version)
            let from: String = row["current_stage"]
            var archived: [Int64] = []
            if archiveExisting {
                archived = try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT version FROM model_versions WHERE name = ? AND deleted = 0 AND current_stage = ? AND version != ?",
                    arguments: [name, stage.rawValue, version])
                for other in archived {
                    try db.execute(
                        sql: """
                            UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ?
                            WHERE name = ? AND version = ?
                            """, arguments: [now, name, other])
                    try Self.audit(
                        db, "transition_model_version_stage", name: name, version: other,
                        before: .object([("current_stage", .string(stage.rawValue))]),
                        after: .object([("current_stage", "Archived")]), now: now, actor: actor)
                }
            }
            try db.execute(
                sql:
                    "UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?",
                arguments: [stage.rawValue, now, name, version])
            try Self.touchModel(db, name, now)
            try Self.audit(
                db, "transition_model_version_stage", name: name, version: version,
                before: .object([("current_stage", .string(from))]),
                after: .object([
                    ("current_stage", .string(stage.rawValue)),
                    ("archived_versions", .array(archived.map { .string(String($0)) })),
                ]), now: now, actor: actor)
            return try Self.loadVersion(db, try Self.requireVersion(db, name, version), withAliases: true)
        }
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            _ = try Self.requireVersion(db, name, version)
            let before = try String.fetchOne(
                db, sql: "SELECT value FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                arguments: [name, version, tag.key])
            try db.execute(
                sql: "INSERT OR REPLACE INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)",
                arguments: [name, version, tag.key, tag.value])
            try Self.audit(
                db, "set_model_version_tag", name: name, version: version,
                before: before.map { .object([(tag.key, .string($0))]) },
                after: .object([(tag.key, .string(tag.value))]),
                now: now, actor: actor)
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String, now: Int64, actor: Actor) async throws
    {
        try await pool.write { db in
            _ = try Self.requireVersion(db, name, version)
            let before = try String.fetchOne(
                db, sql: "SELECT value FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                arguments: [name, version, key])
            try db.execute(
                sql: "DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                arguments: [name, version, key])
            try Self.audit(
                db, "delete_model_version_tag", name: name, version: version,
                before: before.map { .object([(key, .string($0))]) }, now: now, actor: actor)
        }
    }

    public func setAlias(name: String, alias: String, version: Int64, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            _ = try Self.requireVersion(db, name, version)
            let before = try Int64.fetchOne(
                db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                arguments: [name, alias])
            try db.execute(
                sql: "INSERT OR REPLACE INTO registered_model_aliases(name, alias, version) VALUES (?, ?, ?)",
                arguments: [name, alias, version])
            try Self.audit(
                db, "set_registered_model_alias", name: name, version: version,
                before: before.map { .object([("alias", .string(alias)), ("version", .string(String($0)))]) },
                after: .object([("alias", .string(alias)), ("version", .string(String(version)))]), now: now,
                actor: actor)
        }
    }

    public func deleteAlias(name: String, alias: String, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            _ = try Self.requireModel(db, name)
            let before = try Int64.fetchOne(
                db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                arguments: [name, alias])
            try db.execute(
                sql: "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])
            try Self.audit(
                db, "delete_registered_model_alias", name: name, version: before,
                before: before.map { .object([("alias", .string(alias)), ("version", .string(String($0)))]) },
                now: now, actor: actor)
        }
    }

    public func version(name: String, alias: String) async throws -> ModelVersion? {
        try await pool.read { db in
            _ = try Self.requireModel(db, name)
            guard
                let version = try Int64.fetchOne(
                    db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                    arguments: [name, alias]),
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ? AND deleted = 0",
                    arguments: [name, version])
            else { return nil }
            return try Self.loadVersion(db, row, withAliases: true)
        }
    }

    /// The trail of a name: its own events, and through each rename into it, the earlier name's events up
    /// to that rename (recursively). A name used by a deleted model and then re-created shows both lives.
    public func auditEvents(name: String) async throws -> [AuditEvent] {
        try await pool.read { db in
            var rows: [Int64: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM registry_audit WHERE model_name = ?", arguments: [name])
            {
                rows[row["id"]] = row
            }
            var frontier: [(String, Int64)] = [(name, Int64.max)]
            var visited: Set<String> = [name]
            while let (current, limit) = frontier.popLast() {
                let renames = try Row.fetchAll(
                    db,
                    sql: "SELECT id, model_name FROM registry_audit WHERE new_name = ? AND id < ? AND model_name != ?",
                    arguments: [current, limit, current])
                for rename in renames {
                    let oldName: String = rename["model_name"]
                    let renameID: Int64 = rename["id"]
                    for row in try Row.fetchAll(
                        db, sql: "SELECT * FROM registry_audit WHERE model_name = ? AND id <= ?",
                        arguments: [oldName, renameID])
                    {
                        rows[row["id"]] = row
                    }
                    if visited.insert(oldName).inserted { frontier.append((oldName, renameID)) }
                }
            }
            return rows.keys.sorted().compactMap { rows[$0] }.map { row in
                let before: String? = row["before"]
                let after: String? = row["after"]
                return AuditEvent(
                    id: row["id"], timestamp: row["timestamp"], actor: row["actor"], action: row["action"],
                    modelName: row["model_name"], version: row["version"],
                    before: before.flatMap { try? JSONValue(parsing: $0) },
                    after: after.flatMap { try? JSONValue(parsing: $0) })
            }
        }
    }

    // MARK: Search

    public func searchRegisteredModels(_ search: RegisteredModelSearch) async throws -> Page<RegisteredModel> {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        for clause in search.clauses {
            let (condition, values) = Self.condition(
                clause, tagTable: "registered_model_tags", tagJoin: "t.name = m.name", column: { _ in "m.name" })
            conditions.append(condition)
            arguments += values
        }
        if !search.wantsPrompts {
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.key = '\(promptTagKey)' AND t.value = 'true')"
            )
        }
        let order = search.order.map { "m.\($0.0) \($0.1 ? "ASC" : "DESC")" }.joined(separator: ", ")
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM registered_models m \(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?"
        let query = PagedQuery(sql: sql, arguments: arguments, maxResults: search.maxResults, offset: search.offset)
        return try await pool.read { db in try query.fetch(db) { rows in try Self.loadModels(db, rows) } }
    }

    public func searchModelVersions(_ search: ModelVersionSearch) async throws -> Page<ModelVersion> {
        var conditions = ["v.deleted = 0"]
        var arguments: [any DatabaseValueConvertible] = []
        let columns = [
            "name": "v.name", "run_id": "v.run_id", "source_path": "v.source", "version_number": "v.version",
        ]
        for clause in search.clauses {
            let (condition, values) = Self.condition(
                clause, tagTable: "model_version_tags", tagJoin: "t.name = v.name AND t.version = v.version",
                column: { columns[$0] ?? "NULL" })
            conditions.append(condition)
            arguments += values
        }
        if !search.wantsPrompts {
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version "
                    + "AND t.key = '\(promptTagKey)' AND t.value = 'true')")
        }
        let order = search.order.map { "v.\($0.0) \($0.1 ? "ASC" : "DESC")" }.joined(separator: ", ")
        let sql =
            "SELECT * FROM model_versions v WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ? OFFSET ?"
        let query = PagedQuery(sql: sql, arguments: arguments, maxResults: search.maxResults, offset: search.offset)
        return try await pool.read { db in
            try query.fetch(db) { rows in try rows.map { try Self.loadVersion(db, $0, withAliases: false) } }
        }
    }

    /// A condition for one registry filter clause: tags through EXISTS (a missing tag never matches),
    /// attributes on their column.
    static func condition(
        _ clause: FilterClause, tagTable: String, tagJoin: String, column: (String) -> String
    ) -> (String, [any DatabaseValueConvertible]) {
        if clause.entity == .tag {
            let (test, values) = SQLFilter.comparison("t.value", clause)
            return (
                "EXISTS (SELECT 1 FROM \(tagTable) t WHERE \(tagJoin) AND t.key = ? AND \(test))", [clause.key] + values
            )
        }
        return SQLFilter.comparison(column(clause.key), clause)
    }
}
