import GRDB
public import KaizenCore
public import KaizenTracking

extension SQLiteTrackingStore {
    public func createLoggedModel(_ model: LoggedModel) async throws {
        guard let experimentNumber = Int64(model.experimentID) else {
            throw TrackingError.experimentNotFound(model.experimentID)
        }
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO logged_models(model_id, experiment_id, name, artifact_uri, status, model_type,
                                              source_run_id, creation_timestamp, last_updated_timestamp)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    model.modelID, experimentNumber, model.name, model.artifactURI, model.status.rawValue,
                    model.modelType, model.sourceRunID, model.creationTimestamp, model.lastUpdatedTimestamp,
                ])
            for tag in model.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_tags(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [model.modelID, tag.key, tag.value])
            }
            for param in model.params {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_params(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [model.modelID, param.key, param.value])
            }
        }
    }

    public func loggedModel(id: String) async throws -> LoggedModel? {
        try await pool.read { db in
            try Self.fetchLoggedModels(db, where: "model_id = ? AND lifecycle_stage = 'active'", arguments: [id]).first
        }
    }

    static func fetchLoggedModels(
        _ db: Database, where condition: String, arguments: StatementArguments
    ) throws
        -> [LoggedModel]
    {
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM logged_models WHERE \(condition) ORDER BY creation_timestamp DESC, model_id",
            arguments: arguments)
        return try rows.map { row in
            let id: String = row["model_id"]
            let experimentID: Int64 = row["experiment_id"]
            let tags = try Row.fetchAll(
                db, sql: "SELECT key, value FROM logged_model_tags WHERE model_id = ? ORDER BY key", arguments: [id]
            ).map { Tag(key: $0["key"], value: $0["value"]) }
            let params = try Row.fetchAll(
                db, sql: "SELECT key, value FROM logged_model_params WHERE model_id = ? ORDER BY key", arguments: [id]
            ).map { Param(key: $0["key"], value: $0["value"]) }
            let metrics = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM metrics WHERE model_id = ? ORDER BY key, step, timestamp
                    """, arguments: [id]
            ).map { row in
                Metric(
                    key: row["key"], value: row["is_nan"] ? .nan : row["value"], timestamp: row["timestamp"],
                    step: row["step"], modelID: id, datasetName: row["dataset_name"],
                    datasetDigest: row["dataset_digest"])
            }
            return LoggedModel(
                modelID: id, experimentID: String(experimentID), name: row["name"], artifactURI: row["artifact_uri"],
                status: LoggedModelStatus(rawValue: row["status"]) ?? .pending, modelType: row["model_type"],
                sourceRunID: row["source_run_id"], creationTimestamp: row["creation_timestamp"],
                lastUpdatedTimestamp: row["last_updated_timestamp"], tags: tags, params: params, metrics: metrics)
        }
    }

    public func setLoggedModelStatus(id: String, to status: LoggedModelStatus, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE logged_models SET status = ?, last_updated_timestamp = ? WHERE model_id = ?",
                arguments: [status.rawValue, now, id])
            guard db.changesCount > 0 else { throw TrackingError.loggedModelNotFound(id) }
        }
    }

    public func setLoggedModelTags(id: String, tags: [Tag], now: Int64) async throws {
        try await pool.write { db in
            for tag in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_tags(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, tag.key, tag.value])
            }
            try db.execute(
                sql: "UPDATE logged_models SET last_updated_timestamp = ? WHERE model_id = ?", arguments: [now, id])
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", arguments: [id, key])
            guard db.changesCount > 0 else {
                throw KaizenError.notFound("No tag with key '\(key)' found for logged model '\(id)'.")
            }
        }
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        try await pool.write { db in
            for param in params {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_params(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, param.key, param.value])
            }
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE logged_models SET lifecycle_stage = 'deleted' WHERE model_id = ?", arguments: [id])
        }
    }

    public func loggedModels(experimentIDs: [String]) async throws -> [LoggedModel] {
        let numbers = experimentIDs.compactMap { Int64($0) }
        guard !numbers.isEmpty else { return [] }
        return try await pool.read { db in
            try Self.fetchLoggedModels(
                db, where: "experiment_id IN (\(RunLoader.placeholders(numbers.count))) AND lifecycle_stage = 'active'",
                arguments: StatementArguments(numbers))
        }
    }
}
