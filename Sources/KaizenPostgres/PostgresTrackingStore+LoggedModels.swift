public import KaizenCore
public import KaizenTracking
import Logging
import PostgresNIO

extension PostgresTrackingStore {
    public func createLoggedModel(_ model: LoggedModel) async throws {
        guard let experimentNumber = Int64(model.experimentID) else {
            throw TrackingError.experimentNotFound(model.experimentID)
        }
        let tags = Self.lastOfEachKey(model.tags)
        let params = Self.lastOfEachKey(model.params.map { Tag(key: $0.key, value: $0.value) })
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO logged_models(model_id, experiment_id, name, artifact_uri, status, model_type,
                                          source_run_id, creation_timestamp, last_updated_timestamp)
                VALUES (\(model.modelID), \(experimentNumber), \(model.name), \(model.artifactURI),
                        \(model.status.rawValue), \(model.modelType), \(model.sourceRunID), \(model.creationTimestamp),
                        \(model.lastUpdatedTimestamp))
                """, logger: logger)
            try await Self.upsert(connection, table: "logged_model_tags", model: model.modelID, tags, logger: logger)
            try await Self.upsert(
                connection, table: "logged_model_params", model: model.modelID, params, logger: logger)
        }
    }

    /// Sets keys and values of a logged model in `table` (tags or params), the last value of a key winning.
    static func upsert(
        _ connection: PostgresConnection, table: String, model: String, _ entries: [Tag], logger: Logger
    ) async throws {
        let entries = lastOfEachKey(entries)
        guard !entries.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: table)(model_id, key, value)
            SELECT \(model), * FROM unnest(\(entries.map(\.key))::text[], \(entries.map(\.value))::text[])
            ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    public func loggedModel(id: String) async throws -> LoggedModel? {
        try await database.read { connection in
            try await Self.fetchLoggedModels(
                connection, where: "model_id = ANY($1) AND lifecycle_stage = 'active'", [id], logger: logger
            ).first
        }
    }

    static func fetchLoggedModels(
        _ connection: PostgresConnection, where condition: String, _ values: [String], logger: Logger
    ) async throws -> [LoggedModel] {
        var bindings = PostgresBindings()
        bindings.append(values)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT m.model_id, m.experiment_id, m.name, m.artifact_uri, m.status, m.model_type,
                           m.source_run_id, m.creation_timestamp, m.last_updated_timestamp,
                           (SELECT array_agg(t.key ORDER BY t.key) FROM logged_model_tags t WHERE t.model_id = m.model_id),
                           (SELECT array_agg(t.value ORDER BY t.key) FROM logged_model_tags t
                            WHERE t.model_id = m.model_id),
                           (SELECT array_agg(p.key ORDER BY p.key) FROM logged_model_params p
                            WHERE p.model_id = m.model_id),
                           (SELECT array_agg(p.value ORDER BY p.key) FROM logged_model_params p
                            WHERE p.model_id = m.model_id)
                    FROM logged_models m WHERE \(condition)
                    ORDER BY m.creation_timestamp DESC, m.model_id
                    """, binds: bindings), logger: logger)
        var models: [LoggedModel] = []
        for try await (
            id, experiment, name, artifactURI, status, modelType, sourceRunID, created, updated, tagKeys, tagValues,
            paramKeys, paramValues
        ) in rows.decode(
            (
                String, Int64, String, String, String, String, String?, Int64, Int64, [String]?, [String]?,
                [String]?, [String]?
            ).self)
        {
            models.append(
                LoggedModel(
                    modelID: id, experimentID: String(experiment), name: name, artifactURI: artifactURI,
                    status: LoggedModelStatus(rawValue: status) ?? .pending, modelType: modelType,
                    sourceRunID: sourceRunID, creationTimestamp: created, lastUpdatedTimestamp: updated,
                    tags: zip(tagKeys ?? [], tagValues ?? []).map { Tag(key: $0, value: $1) },
                    params: zip(paramKeys ?? [], paramValues ?? []).map { Param(key: $0, value: $1) }))
        }
        guard !models.isEmpty else { return [] }
        var metrics: [String: [Metric]] = [:]
        for try await (model, key, value, isNaN, timestamp, step, datasetName, datasetDigest)
            in try await connection
            .query(
                """
                SELECT model_id, key, value, is_nan, timestamp, step, dataset_name, dataset_digest FROM metrics
                WHERE model_id = ANY(\(models.map(\.modelID))) ORDER BY model_id, key, step, timestamp
                """, logger: logger
            ).decode((String, String, Double, Bool, Int64, Int64, String?, String?).self)
        {
            metrics[model, default: []].append(
                Metric(
                    key: key, value: isNaN ? .nan : value, timestamp: timestamp, step: step, modelID: model,
                    datasetName: datasetName, datasetDigest: datasetDigest))
        }
        for index in models.indices {
            models[index].metrics = metrics[models[index].modelID] ?? []
        }
        return models
    }

    public func setLoggedModelStatus(id: String, to status: LoggedModelStatus, now: Int64) async throws {
        let updated = try await autocommit { connection in
            try await Self.count(
                connection.query(
                    """
                    UPDATE logged_models SET status = \(status.rawValue), last_updated_timestamp = \(now)
                    WHERE model_id = \(id) RETURNING 1
                    """, logger: logger))
        }
        guard updated > 0 else { throw TrackingError.loggedModelNotFound(id) }
    }

    public func setLoggedModelTags(id: String, tags: [Tag], now: Int64) async throws {
        try await database.write { connection in
            try await Self.upsert(connection, table: "logged_model_tags", model: id, tags, logger: logger)
            try await connection.query(
                "UPDATE logged_models SET last_updated_timestamp = \(now) WHERE model_id = \(id)", logger: logger)
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        let deleted = try await autocommit { connection in
            try await Self.count(
                connection.query(
                    "DELETE FROM logged_model_tags WHERE model_id = \(id) AND key = \(key) RETURNING 1", logger: logger)
            )
        }
        guard deleted > 0 else {
            throw KaizenError.notFound("No tag with key '\(key)' found for logged model '\(id)'.")
        }
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        try await autocommit { connection in
            try await Self.upsert(
                connection, table: "logged_model_params", model: id,
                params.map { Tag(key: $0.key, value: $0.value) }, logger: logger)
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try await autocommit { connection in
            try await connection.query(
                "UPDATE logged_models SET lifecycle_stage = 'deleted' WHERE model_id = \(id)", logger: logger)
        }
    }

    public func loggedModels(experimentIDs: [String]) async throws -> [LoggedModel] {
        let numbers = experimentIDs.compactMap { Int64($0) }
        guard !numbers.isEmpty else { return [] }
        return try await database.read { connection in
            try await Self.fetchLoggedModels(
                connection, where: "experiment_id = ANY($1::int8[]) AND lifecycle_stage = 'active'",
                numbers.map(String.init), logger: logger)
        }
    }
}
