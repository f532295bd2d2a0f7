public import KaizenCore
public import KaizenRegistry
import KaizenTracking
import Logging
import PostgresNIO

extension PostgresRegistryStore {
    public func searchRegisteredModels(_ search: RegisteredModelSearch) async throws -> Page<RegisteredModel> {
        var statement = SQLStatement()
        var conditions: [String] = []
        for clause in search.clauses {
            conditions.append(
                Self.condition(
                    clause, tagTable: "registered_model_tags", tagJoin: "t.name = m.name", column: { _ in "m.name" },
                    into: &statement))
        }
        if !search.wantsPrompts {
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name "
                    + "AND t.key = \(statement.bind(promptTagKey)) AND t.value = 'true')")
        }
        let order = search.order.map { "m.\($0.0) \($0.1 ? "ASC" : "DESC")" }.joined(separator: ", ")
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        statement.append("SELECT * FROM registered_models m \(whereClause) ORDER BY \(order)")
        let logger = logger
        return try await database.read { connection in
            let page = try await statement.page(maxResults: search.maxResults, offset: search.offset) {
                try await NamedRow.fetch(connection, $0.query, logger: logger)
            }
            return Page(
                items: try await Self.loadModels(connection, logger, page.items), nextPageToken: page.nextPageToken)
        }
    }

    public func searchModelVersions(_ search: ModelVersionSearch) async throws -> Page<ModelVersion> {
        var statement = SQLStatement()
        var conditions = ["NOT v.deleted"]
        let columns = [
            "name": "v.name", "run_id": "v.run_id", "source_path": "v.source", "version_number": "v.version",
        ]
        for clause in search.clauses {
            conditions.append(
                Self.condition(
                    clause, tagTable: "model_version_tags", tagJoin: "t.name = v.name AND t.version = v.version",
                    column: { columns[$0] ?? "NULL" }, into: &statement))
        }
        if !search.wantsPrompts {
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version "
                    + "AND t.key = \(statement.bind(promptTagKey)) AND t.value = 'true')")
        }
        let order = search.order.map { "v.\($0.0) \($0.1 ? "ASC" : "DESC")" }.joined(separator: ", ")
        statement.append(
            "SELECT * FROM model_versions v WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)")
        let logger = logger
        return try await database.read { connection in
            let page = try await statement.page(maxResults: search.maxResults, offset: search.offset) {
                try await NamedRow.fetch(connection, $0.query, logger: logger)
            }
            return Page(
                items: try await Self.loadVersions(connection, logger, page.items, withAliases: false),
                nextPageToken: page.nextPageToken)
        }
    }

    /// A condition for one registry filter clause, its values bound into `statement`: tags through EXISTS (a
    /// missing tag never matches), attributes on their column.
    static func condition(
        _ clause: FilterClause, tagTable: String, tagJoin: String, column: (String) -> String,
        into statement: inout SQLStatement
    ) -> String {
        if clause.entity == .tag {
            let key = statement.bind(clause.key)
            let test = comparison("t.value", clause, into: &statement)
            return "EXISTS (SELECT 1 FROM \(tagTable) t WHERE \(tagJoin) AND t.key = \(key) AND \(test))"
        }
        return comparison(column(clause.key), clause, into: &statement)
    }

    /// `column op $n` for one clause's operator. LIKE and ILIKE take no escape character, as SQLite's LIKE does
    /// (PostgreSQL's default is a backslash); ILIKE folds ASCII case only on these "C"-collated columns, as SQLite's
    /// `lower()` does.
    static func comparison(_ column: String, _ clause: FilterClause, into statement: inout SQLStatement) -> String {
        switch (clause.op, clause.value) {
        case (.like, .string(let pattern)): return "\(column) LIKE \(statement.bind(pattern)) ESCAPE ''"
        case (.iLike, .string(let pattern)): return "\(column) ILIKE \(statement.bind(pattern)) ESCAPE ''"
        case (.isIn, .list(let items)):
            return items.isEmpty ? "FALSE" : "\(column) IN (\(statement.bindList(items)))"
        case (.notIn, .list(let items)):
            return items.isEmpty ? "TRUE" : "\(column) NOT IN (\(statement.bindList(items)))"
        case (_, .string(let string)): return "\(column) \(clause.op.rawValue) \(statement.bind(string))"
        case (_, .number(let number)): return "\(column) \(clause.op.rawValue) \(statement.bind(number))"
        default: return "FALSE"
        }
    }

    /// The trail of a name: its own events, and through each rename into it, the earlier name's events up to that
    /// rename (recursively). A name used by a deleted model and then re-created shows both lives.
    public func auditEvents(name: String) async throws -> [AuditEvent] {
        let logger = logger
        return try await database.read { connection in
            var rows: [Int64: NamedRow] = [:]
            for row in try await NamedRow.fetch(
                connection, "SELECT * FROM registry_audit WHERE model_name = \(name)", logger: logger)
            {
                rows[try row.get("id")] = row
            }
            var frontier: [(String, Int64)] = [(name, Int64.max)]
            var visited: Set<String> = [name]
            while let (current, limit) = frontier.popLast() {
                let renames = try await connection.query(
                    """
                    SELECT id, model_name FROM registry_audit
                    WHERE new_name = \(current) AND id < \(limit) AND model_name <> \(current)
                    """, logger: logger
                ).collect()
                for rename in renames {
                    let (renameID, oldName) = try rename.decode((Int64, String).self)
                    for row in try await NamedRow.fetch(
                        connection,
                        "SELECT * FROM registry_audit WHERE model_name = \(oldName) AND id <= \(renameID)",
                        logger: logger)
                    {
                        rows[try row.get("id")] = row
                    }
                    if visited.insert(oldName).inserted { frontier.append((oldName, renameID)) }
                }
            }
            return try rows.keys.sorted().compactMap { rows[$0] }.map { row in
                let before = try row.get("before", as: String?.self)
                let after = try row.get("after", as: String?.self)
                return AuditEvent(
                    id: try row.get("id"), timestamp: try row.get("timestamp"), actor: try row.get("actor"),
                    action: try row.get("action"), modelName: try row.get("model_name"),
                    version: try row.get("version"), before: before.flatMap { try? JSONValue(parsing: $0) },
                    after: after.flatMap { try? JSONValue(parsing: $0) })
            }
        }
    }
}
