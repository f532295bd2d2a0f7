public import GRDB
public import KaizenCore
public import KaizenTracking

/// The SQLite implementation of `TrackingStore`: one database file, WAL, one writer at a time.
public struct SQLiteTrackingStore: TrackingStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Maps a constraint violation to `RESOURCE_ALREADY_EXISTS`; other database errors pass through.
    static func translate(_ error: any Error, duplicate: KaizenError) -> any Error {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return duplicate
        }
        return error
    }

    // MARK: Experiments

    public func ensureDefaultExperiment(artifactLocation: String, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO experiments(experiment_id, name, artifact_location, creation_time, last_update_time)
                    VALUES (0, 'Default', ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [artifactLocation, now, now])
        }
    }

    public func createExperiment(
        name: String, artifactLocation: String?, defaultArtifactLocation: @Sendable (String) -> String,
        tags: [Tag], now: Int64
    ) async throws -> String {
        do {
            return try await pool.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [name]) == true {
                    throw TrackingError.experimentExists(name)
                }
                let next = try Int64.fetchOne(db, sql: "SELECT ifnull(max(experiment_id), 0) + 1 FROM experiments") ?? 1
                let id = String(next)
                try db.execute(
                    sql: """
                        INSERT INTO experiments(experiment_id, name, artifact_location, creation_time, last_update_time)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [next, name, artifactLocation ?? defaultArtifactLocation(id), now, now])
                for tag in tags {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)",
                        arguments: [next, tag.key, tag.value])
                }
                return id
            }
        } catch {
            throw Self.translate(error, duplicate: TrackingError.experimentExists(name))
        }
    }

    public func experiment(id: String) async throws -> Experiment? {
        guard let number = Int64(id) else { return nil }
        return try await pool.read { db in
            try Self.fetchExperiments(db, where: "experiment_id = ?", arguments: [number]).first
        }
    }

    public func experiment(named name: String) async throws -> Experiment? {
        try await pool.read { db in
            try Self.fetchExperiments(db, where: "name = ?", arguments: [name]).first
        }
    }

    static func fetchExperiments(
        _ db: Database, where condition: String, arguments: StatementArguments
    ) throws
        -> [Experiment]
    {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM experiments WHERE \(condition)", arguments: arguments)
        return try rows.map { row in try experiment(from: row, db) }
    }

    static func experiment(from row: Row, _ db: Database) throws -> Experiment {
        let id: Int64 = row["experiment_id"]
        let tags = try Row.fetchAll(
            db, sql: "SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key", arguments: [id]
        ).map { Tag(key: $0["key"], value: $0["value"]) }
        return Experiment(
            id: String(id), name: row["name"], artifactLocation: row["artifact_location"],
            lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active,
            creationTime: row["creation_time"], lastUpdateTime: row["last_update_time"], tags: tags)
    }

    public func searchExperiments(_ search: ExperimentSearch) async throws -> Page<Experiment> {
        var conditions = [
            "lifecycle_stage IN (\(search.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",")))"
        ]
        var arguments: [any DatabaseValueConvertible] = []
        for clause in search.clauses {
            let (condition, values) = SQLFilter.experimentCondition(clause)
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        var order = search.order.map { "\($0.key) \($0.ascending ? "ASC" : "DESC")" }
        if order.isEmpty {
            order = ["creation_time DESC", "experiment_id ASC"]
        } else if !search.order.contains(where: { $0.key == "experiment_id" }) {
            order.append("experiment_id DESC")
        }
        let sql = """
            SELECT * FROM experiments e WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let query = PagedQuery(sql: sql, arguments: arguments, maxResults: search.maxResults, offset: search.offset)
        return try await pool.read { db in
            try query.fetch(db) { rows in try rows.map { try Self.experiment(from: $0, db) } }
        }
    }

    public func renameExperiment(id: String, to newName: String, now: Int64) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        do {
            try await pool.write { db in
                if try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM experiments WHERE name = ? AND experiment_id != ?",
                    arguments: [newName, number]) == true
                {
                    throw TrackingError.experimentExists(newName)
                }
                try db.execute(
                    sql: "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                    arguments: [newName, now, number])
                guard db.changesCount > 0 else { throw TrackingError.experimentNotFound(id) }
            }
        } catch {
            throw Self.translate(error, duplicate: TrackingError.experimentExists(newName))
        }
    }

    public func setExperimentLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        try await pool.write { db in
            guard
                let current = try String.fetchOne(
                    db, sql: "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", arguments: [number])
            else { throw TrackingError.experimentNotFound(id) }
            if stage == .active, current == LifecycleStage.active.rawValue {
                throw KaizenError.invalidParameter(
                    "Cannot restore an active experiment. Current lifecycle stage: active")
            }
            if stage == .deleted, current == LifecycleStage.deleted.rawValue {
                throw TrackingError.experimentNotActive(id, stage: .deleted)
            }
            try db.execute(
                sql: "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?",
                arguments: [stage.rawValue, now, number])
            try db.execute(
                sql: "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?",
                arguments: [stage.rawValue, stage == .deleted ? now : nil, number])
        }
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)",
                arguments: [number, tag.key, tag.value])
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", arguments: [number, key])
            guard db.changesCount > 0 else {
                throw KaizenError.notFound("No tag with name: \(key) in experiment with id \(id)")
            }
        }
    }
}
