import KaizenCore
import KaizenRegistry
import Logging
import PostgresNIO

extension PostgresRegistryStore {
    static func loadModel(
        _ connection: PostgresConnection, _ logger: Logger, _ row: NamedRow
    ) async throws
        -> RegisteredModel
    {
        try await loadModels(connection, logger, [row])[0]
    }

    /// Loads a page of models with a fixed number of queries, in the order of `rows`.
    static func loadModels(
        _ connection: PostgresConnection, _ logger: Logger, _ rows: [NamedRow]
    ) async throws
        -> [RegisteredModel]
    {
        let names = try rows.map { try $0.get("name", as: String.self) }
        guard !names.isEmpty else { return [] }
        var tags: [String: [Tag]] = [:]
        for try await (name, key, value) in try await connection.query(
            "SELECT name, key, value FROM registered_model_tags WHERE name = ANY(\(names)) ORDER BY name, key",
            logger: logger
        ).decode((String, String, String).self) {
            tags[name, default: []].append(Tag(key: key, value: value))
        }
        var aliases: [String: [ModelAlias]] = [:]
        for try await (name, alias, version) in try await connection.query(
            """
            SELECT name, alias, version FROM registered_model_aliases WHERE name = ANY(\(names)) ORDER BY name, alias
            """, logger: logger
        ).decode((String, String, Int64).self) {
            aliases[name, default: []].append(ModelAlias(alias: alias, version: version))
        }
        let latest = try await latest(
            connection, logger, names: names, stages: ModelStage.allCases, withAliases: false)
        return try rows.map { row in
            let name = try row.get("name", as: String.self)
            return RegisteredModel(
                name: name, creationTimestamp: try row.get("creation_timestamp"),
                lastUpdatedTimestamp: try row.get("last_updated_timestamp"), description: try row.get("description"),
                tags: tags[name] ?? [], aliases: aliases[name] ?? [], latestVersions: latest[name] ?? [])
        }
    }

    /// The newest live version of each model in each of `stages`, by model, in version order: one index probe per
    /// model and stage, however many versions a model has.
    static func latest(
        _ connection: PostgresConnection, _ logger: Logger, names: [String], stages: [ModelStage], withAliases: Bool
    ) async throws -> [String: [ModelVersion]] {
        guard !names.isEmpty, !stages.isEmpty else { return [:] }
        let stageNames = stages.map(\.rawValue)
        let rows = try await NamedRow.fetch(
            connection,
            """
            SELECT v.* FROM unnest(\(names)::text[]) AS n(name)
            CROSS JOIN unnest(\(stageNames)::text[]) AS s(stage)
            CROSS JOIN LATERAL (
                SELECT * FROM model_versions mv
                WHERE mv.name = n.name AND mv.current_stage = s.stage AND NOT mv.deleted
                ORDER BY mv.version DESC LIMIT 1) v
            ORDER BY v.name, v.version
            """, logger: logger)
        var latest: [String: [ModelVersion]] = [:]
        for version in try await loadVersions(connection, logger, rows, withAliases: withAliases) {
            latest[version.name, default: []].append(version)
        }
        return latest
    }

    /// Loads versions with their tags (and aliases) in a fixed number of queries, in the order of `rows`.
    static func loadVersions(
        _ connection: PostgresConnection, _ logger: Logger, _ rows: [NamedRow], withAliases: Bool
    ) async throws -> [ModelVersion] {
        guard !rows.isEmpty else { return [] }
        let names = try rows.map { try $0.get("name", as: String.self) }
        let numbers = try rows.map { try $0.get("version", as: Int64.self) }
        func key(_ name: String, _ version: Int64) -> String { "\(name)\u{0}\(version)" }
        var tags: [String: [Tag]] = [:]
        for try await (name, version, tagKey, value) in try await connection.query(
            """
            SELECT t.name, t.version, t.key, t.value
            FROM unnest(\(names)::text[], \(numbers)::int8[]) AS p(name, version)
            JOIN model_version_tags t ON t.name = p.name AND t.version = p.version
            ORDER BY t.name, t.version, t.key
            """, logger: logger
        ).decode((String, Int64, String, String).self) {
            tags[key(name, version), default: []].append(Tag(key: tagKey, value: value))
        }
        var aliases: [String: [String]] = [:]
        if withAliases {
            for try await (name, version, alias) in try await connection.query(
                """
                SELECT a.name, a.version, a.alias
                FROM unnest(\(names)::text[], \(numbers)::int8[]) AS p(name, version)
                JOIN registered_model_aliases a ON a.name = p.name AND a.version = p.version
                ORDER BY a.name, a.version, a.alias
                """, logger: logger
            ).decode((String, Int64, String).self) {
                aliases[key(name, version), default: []].append(alias)
            }
        }
        return try rows.map { row in
            let name = try row.get("name", as: String.self)
            let version = try row.get("version", as: Int64.self)
            return ModelVersion(
                name: name, version: version, creationTimestamp: try row.get("creation_timestamp"),
                lastUpdatedTimestamp: try row.get("last_updated_timestamp"),
                currentStage: ModelStage(rawValue: try row.get("current_stage")) ?? .none,
                description: try row.get("description"), source: try row.get("source"), runID: try row.get("run_id"),
                runLink: try row.get("run_link"), tags: tags[key(name, version)] ?? [],
                aliases: aliases[key(name, version)] ?? [], storageLocation: try row.get("storage_location"))
        }
    }

    static func loadVersion(
        _ connection: PostgresConnection, _ logger: Logger, _ row: NamedRow
    ) async throws
        -> ModelVersion
    {
        try await loadVersions(connection, logger, [row], withAliases: true)[0]
    }
}
