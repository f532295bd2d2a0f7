public import KaizenCore
public import KaizenTracking
import Logging
import PostgresNIO

/// The PostgreSQL implementation of `TrackingStore`, for several Kaizen replicas sharing one database.
///
/// It behaves as `SQLiteTrackingStore` does: the same errors, orders and rules. It keeps nothing mutable in memory:
/// every check on stored state runs in the write's transaction, and uniqueness is the database's to enforce, so
/// replicas need no lock but the database's.
public struct PostgresTrackingStore: TrackingStore {
    let database: PostgresDatabase
    /// Concurrent metric-only writes to one run, folded into one statement.
    let metricWrites: MetricWriteGroups

    public init(database: PostgresDatabase) {
        self.database = database
        metricWrites = MetricWriteGroups { runID, metrics in
            try await Self.autocommit(database) { connection in
                try await Self.insertMetrics(connection, runID: runID, metrics: metrics, logger: database.logger)
            }
        }
    }

    var logger: Logger { database.logger }

    /// Runs one statement outside an explicit transaction (it is its own), retried as `write` retries a
    /// transaction: a write of one statement needs no `BEGIN` and `COMMIT` round trips.
    @discardableResult
    func autocommit<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await Self.autocommit(database, body)
    }

    static func autocommit<Result: Sendable>(
        _ database: PostgresDatabase, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.read(body)
            } catch let error as PSQLError where PostgresDatabase.isRetryable(error) && attempt < 5 {
                try await Task.sleep(for: .milliseconds(attempt * attempt * 5))
            }
        }
    }

    /// How many rows a statement returned, for `UPDATE … RETURNING 1` and the like.
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    // MARK: Experiments

    public func ensureDefaultExperiment(artifactLocation: String, now: Int64) async throws {
        try await autocommit { connection in
            try await connection.query(
                """
                INSERT INTO experiments(experiment_id, name, artifact_location, creation_time, last_update_time)
                VALUES (0, 'Default', \(artifactLocation), \(now), \(now)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    public func createExperiment(
        name: String, artifactLocation: String?, defaultArtifactLocation: @Sendable (String) -> String,
        tags: [Tag], now: Int64
    ) async throws -> String {
        do {
            return try await database.write { connection in
                // A taken name is refused before an id is drawn, so that refusals leave no gaps in the ids; two
                // creates racing past this check meet the unique constraint.
                var next: Int64?
                for try await id in try await connection.query(
                    """
                    SELECT nextval('experiment_ids') WHERE NOT EXISTS (SELECT 1 FROM experiments WHERE name = \(name))
                    """, logger: logger
                ).decode(Int64.self) {
                    next = id
                }
                guard let next else { throw TrackingError.experimentExists(name) }
                let id = String(next)
                let location = artifactLocation ?? defaultArtifactLocation(id)
                try await connection.query(
                    """
                    INSERT INTO experiments(experiment_id, name, artifact_location, creation_time, last_update_time)
                    VALUES (\(next), \(name), \(location), \(now), \(now))
                    """, logger: logger)
                try await Self.upsertExperimentTags(connection, experiment: next, tags: tags, logger: logger)
                return id
            }
        } catch {
            if PostgresDatabase.isUniqueViolation(error, constraint: "experiments_name_key") {
                throw TrackingError.experimentExists(name)
            }
            throw error
        }
    }

    static func upsertExperimentTags(
        _ connection: PostgresConnection, experiment: Int64, tags: [Tag], logger: Logger
    ) async throws {
        let tags = lastOfEachKey(tags)
        guard !tags.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO experiment_tags(experiment_id, key, value)
            SELECT \(experiment), * FROM unnest(\(tags.map(\.key))::text[], \(tags.map(\.value))::text[])
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    /// The tags with only the last of each key, in the order of first appearance: `INSERT OR REPLACE` one by one,
    /// as one upsert (which may not touch a row twice).
    static func lastOfEachKey(_ tags: [Tag]) -> [Tag] {
        var index: [String: Int] = [:]
        var result: [Tag] = []
        for tag in tags {
            if let position = index[tag.key] {
                result[position] = tag
            } else {
                index[tag.key] = result.count
                result.append(tag)
            }
        }
        return result
    }

    /// The columns `experiments(from:)` reads, for experiments `e`, tags included.
    static let experimentColumns = """
        e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time,
        (SELECT array_agg(t.key ORDER BY t.key) FROM experiment_tags t WHERE t.experiment_id = e.experiment_id),
        (SELECT array_agg(t.value ORDER BY t.key) FROM experiment_tags t WHERE t.experiment_id = e.experiment_id)
        """

    static func experiments(from rows: PostgresRowSequence) async throws -> [Experiment] {
        var experiments: [Experiment] = []
        for try await (id, name, location, stage, created, updated, keys, values) in rows.decode(
            (Int64, String, String, String, Int64, Int64, [String]?, [String]?).self)
        {
            let tags = zip(keys ?? [], values ?? []).map { Tag(key: $0, value: $1) }
            experiments.append(
                Experiment(
                    id: String(id), name: name, artifactLocation: location,
                    lifecycleStage: LifecycleStage(rawValue: stage) ?? .active, creationTime: created,
                    lastUpdateTime: updated, tags: tags))
        }
        return experiments
    }

    public func experiment(id: String) async throws -> Experiment? {
        guard let number = Int64(id) else { return nil }
        return try await database.read { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments e WHERE e.experiment_id = \(number)",
                logger: logger)
            return try await Self.experiments(from: rows).first
        }
    }

    public func experiment(named name: String) async throws -> Experiment? {
        try await database.read { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.experimentColumns) FROM experiments e WHERE e.name = \(name)",
                logger: logger)
            return try await Self.experiments(from: rows).first
        }
    }

    public func searchExperiments(_ search: ExperimentSearch) async throws -> Page<Experiment> {
        var statement = SQLStatement("SELECT \(Self.experimentColumns) FROM experiments e WHERE ")
        var conditions = ["e.lifecycle_stage = ANY(\(statement.bind(search.viewType.stages.map(\.rawValue))))"]
        for clause in search.clauses {
            conditions.append(Self.experimentCondition(clause, in: &statement))
        }
        var order = search.order.map {
            "\(Self.experimentOrderColumns[$0.key] ?? "e.experiment_id") \($0.ascending ? "ASC" : "DESC")"
        }
        if order.isEmpty {
            order = ["e.creation_time DESC", "e.experiment_id ASC"]
        } else if !search.order.contains(where: { $0.key == "experiment_id" }) {
            order.append("e.experiment_id DESC")
        }
        statement.append(conditions.joined(separator: " AND "))
        statement.append(" ORDER BY \(order.joined(separator: ", "))")
        return try await database.read { connection in
            try await statement.page(maxResults: search.maxResults, offset: search.offset) { statement in
                try await Self.experiments(from: connection.query(statement.query, logger: logger))
            }
        }
    }

    static let experimentOrderColumns = [
        "name": "e.name", "experiment_id": "e.experiment_id", "creation_time": "e.creation_time",
        "last_update_time": "e.last_update_time",
    ]

    public func renameExperiment(id: String, to newName: String, now: Int64) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        do {
            try await database.write { connection in
                let taken = try await Self.count(
                    connection.query(
                        "SELECT 1 FROM experiments WHERE name = \(newName) AND experiment_id <> \(number)",
                        logger: logger))
                guard taken == 0 else { throw TrackingError.experimentExists(newName) }
                let updated = try await Self.count(
                    connection.query(
                        """
                        UPDATE experiments SET name = \(newName), last_update_time = \(now)
                        WHERE experiment_id = \(number) RETURNING 1
                        """, logger: logger))
                guard updated > 0 else { throw TrackingError.experimentNotFound(id) }
            }
        } catch {
            if PostgresDatabase.isUniqueViolation(error, constraint: "experiments_name_key") {
                throw TrackingError.experimentExists(newName)
            }
            throw error
        }
    }

    public func setExperimentLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        try await database.write { connection in
            var current: String?
            for try await value in try await connection.query(
                "SELECT lifecycle_stage FROM experiments WHERE experiment_id = \(number) FOR UPDATE", logger: logger
            ).decode(String.self) {
                current = value
            }
            guard let current else { throw TrackingError.experimentNotFound(id) }
            if stage == .active, current == LifecycleStage.active.rawValue {
                throw KaizenError.invalidParameter(
                    "Cannot restore an active experiment. Current lifecycle stage: active")
            }
            if stage == .deleted, current == LifecycleStage.deleted.rawValue {
                throw TrackingError.experimentNotActive(id, stage: .deleted)
            }
            let deletedTime: Int64? = stage == .deleted ? now : nil
            try await connection.query(
                """
                WITH experiment AS (
                    UPDATE experiments SET lifecycle_stage = \(stage.rawValue), last_update_time = \(now)
                    WHERE experiment_id = \(number)
                )
                UPDATE runs SET lifecycle_stage = \(stage.rawValue), deleted_time = \(deletedTime)
                WHERE experiment_id = \(number)
                """, logger: logger)
        }
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        try await autocommit { connection in
            try await Self.upsertExperimentTags(connection, experiment: number, tags: [tag], logger: logger)
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        guard let number = Int64(id) else { throw TrackingError.experimentNotFound(id) }
        let deleted = try await autocommit { connection in
            try await Self.count(
                connection.query(
                    "DELETE FROM experiment_tags WHERE experiment_id = \(number) AND key = \(key) RETURNING 1",
                    logger: logger))
        }
        guard deleted > 0 else { throw KaizenError.notFound("No tag with name: \(key) in experiment with id \(id)") }
    }
}
