public import KaizenCore
public import KaizenTracking
import Logging
import PostgresNIO

extension PostgresTrackingStore {
    public func createRun(_ info: RunInfo, tags: [Tag]) async throws {
        guard let experimentNumber = Int64(info.experimentID) else {
            throw TrackingError.experimentNotFound(info.experimentID)
        }
        let tags = Self.lastOfEachKey(tags)
        try await database.write { connection in
            // FOR SHARE: a delete of the experiment waits for this run, and then deletes it too.
            var stage: String?
            for try await value in try await connection.query(
                "SELECT lifecycle_stage FROM experiments WHERE experiment_id = \(experimentNumber) FOR SHARE",
                logger: logger
            ).decode(String.self) {
                stage = value
            }
            guard let stage else { throw TrackingError.experimentNotFound(info.experimentID) }
            guard stage == LifecycleStage.active.rawValue else {
                throw TrackingError.experimentNotActive(info.experimentID, stage: .deleted)
            }
            try await connection.query(
                """
                WITH run AS (
                    INSERT INTO runs(run_uuid, experiment_id, name, user_id, status, start_time, end_time,
                                     artifact_uri, lifecycle_stage)
                    VALUES (\(info.runID), \(experimentNumber), \(info.runName), \(info.userID),
                            \(info.status.rawValue), \(info.startTime), \(info.endTime), \(info.artifactURI), 'active')
                    RETURNING run_key
                )
                INSERT INTO tags(run_key, key, value)
                SELECT run.run_key, u.key, u.value FROM run, unnest(\(WireArray(tags.map(\.key)))::text[],
                                                                    \(WireArray(tags.map(\.value)))::text[]) AS u(key, value)
                """, logger: logger)
        }
    }

    public func run(id: String) async throws -> Run? {
        try await database.read { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.runSelection) FROM runs r WHERE r.run_uuid = \(id)", logger: logger)
            return try await Self.loadRuns(connection, rows: rows, logger: logger).first
        }
    }

    /// A run's key and lifecycle stage, or `RESOURCE_DOES_NOT_EXIST`; `lock` locks the run's row for the rest of
    /// the transaction (`FOR SHARE` or `FOR UPDATE`), so that its stage cannot change under the write.
    static func requireRun(
        _ connection: PostgresConnection, _ id: String, lock: String, logger: Logger
    ) async throws -> (key: Int64, stage: LifecycleStage) {
        for try await (key, stage) in try await connection.query(
            "SELECT run_key, lifecycle_stage FROM runs WHERE run_uuid = \(id) \(unescaped: lock)", logger: logger
        ).decode((Int64, String).self) {
            return (key, LifecycleStage(rawValue: stage) ?? .active)
        }
        throw TrackingError.runNotFound(id)
    }

    /// The key of an active run, or the error that says why it cannot be written to.
    static func requireActiveRun(
        _ connection: PostgresConnection, _ id: String, lock: String = "FOR SHARE", logger: Logger
    ) async throws -> Int64 {
        let (key, stage) = try await requireRun(connection, id, lock: lock, logger: logger)
        guard stage == .active else { throw TrackingError.runNotActive(id, stage: stage) }
        return key
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        try await database.write { connection in
            let key = try await Self.requireActiveRun(connection, id, lock: "FOR UPDATE", logger: logger)
            if let runName {
                try await Self.upsertTags(
                    connection, run: key, tags: [Tag(key: "mlflow.runName", value: runName)], logger: logger)
            }
            let rows = try await connection.query(
                """
                UPDATE runs r SET status = coalesce(\(status?.rawValue), r.status),
                                  end_time = coalesce(\(endTime), r.end_time), name = coalesce(\(runName), r.name)
                WHERE r.run_key = \(key) RETURNING \(unescaped: Self.runSelection)
                """, logger: logger)
            guard let info = try await Self.runInfos(from: rows).first?.info else {
                throw TrackingError.runNotFound(id)
            }
            return info
        }
    }

    public func setRunLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws {
        let deletedTime: Int64? = stage == .deleted ? now : nil
        let updated = try await autocommit { connection in
            try await Self.count(
                connection.query(
                    """
                    UPDATE runs SET lifecycle_stage = \(stage.rawValue), deleted_time = \(deletedTime)
                    WHERE run_uuid = \(id) RETURNING 1
                    """, logger: logger))
        }
        guard updated > 0 else { throw TrackingError.runNotFound(id) }
    }

    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        // Metrics alone (log-metric, and most batches) are one statement that checks the run, inserts the values
        // and updates each key's latest value and summary; concurrent ones for one run share it (MetricWriteGroups).
        if params.isEmpty, tags.isEmpty {
            guard !metrics.isEmpty else {
                try await database.read { connection in
                    _ = try await Self.requireActiveRun(connection, runID, lock: "", logger: logger)
                }
                return
            }
            try await metricWrites.submit(runID: runID, metrics: metrics)
            return
        }
        try await database.write { connection in
            let key = try await Self.requireActiveRun(connection, runID, logger: logger)
            if !params.isEmpty {
                try await Self.insertParams(connection, runID: runID, run: key, params: params, logger: logger)
            }
            if !metrics.isEmpty {
                try await Self.insertMetrics(connection, runID: runID, metrics: metrics, logger: logger)
            }
            if !tags.isEmpty {
                try await Self.upsertTags(connection, run: key, tags: tags, logger: logger)
            }
        }
    }

    /// Inserts params not logged before and refuses (throws) a param logged before with another value.
    static func insertParams(
        _ connection: PostgresConnection, runID: String, run: Int64, params: [Param], logger: Logger
    ) async throws {
        var inserted = Set<String>()
        for try await key in try await connection.query(
            """
            INSERT INTO params(run_key, key, value)
            SELECT \(run), * FROM unnest(\(WireArray(params.map(\.key)))::text[], \(WireArray(params.map(\.value)))::text[])
            ON CONFLICT DO NOTHING RETURNING key
            """, logger: logger
        ).decode(String.self) {
            inserted.insert(key)
        }
        let conflicting = params.filter { !inserted.contains($0.key) }
        guard !conflicting.isEmpty else { return }
        // A new statement sees what a concurrent transaction committed while this one waited on its row.
        var stored: [String: String] = [:]
        for try await (key, value) in try await connection.query(
            "SELECT key, value FROM params WHERE run_key = \(run) AND key = ANY(\(conflicting.map(\.key)))",
            logger: logger
        ).decode((String, String).self) {
            stored[key] = value
        }
        for param in conflicting {
            if let old = stored[param.key], old != param.value {
                throw TrackingError.paramChanged(runID: runID, key: param.key, old: old, new: param.value)
            }
        }
    }

    /// Inserts the values not logged before and folds only those into each key's latest value and summary, so a
    /// retried batch changes nothing; checks, in the same statement, that the run is active.
    ///
    /// The latest value is chosen as `SQLiteTrackingStore` chooses it: by step, then timestamp, then a value over
    /// NaN and the greater value.
    static func insertMetrics(
        _ connection: PostgresConnection, runID: String, metrics: [Metric], logger: Logger
    ) async throws {
        for try await (found, stage) in try await connection.execute(
            InsertMetricsStatement(runID: runID, metrics: metrics), logger: logger)
        {
            guard found == 0 else { return }
            guard let stage else { throw TrackingError.runNotFound(runID) }
            // Active here means it was deleted while this statement waited for it.
            let current = LifecycleStage(rawValue: stage) ?? .deleted
            throw TrackingError.runNotActive(runID, stage: current == .active ? .deleted : current)
        }
    }

    /// Sets tags of a run (the last value of a key wins); `mlflow.runName` renames the run too.
    static func upsertTags(_ connection: PostgresConnection, run: Int64, tags: [Tag], logger: Logger) async throws {
        let tags = lastOfEachKey(tags)
        try await connection.query(
            """
            INSERT INTO tags(run_key, key, value)
            SELECT \(run), * FROM unnest(\(WireArray(tags.map(\.key)))::text[], \(WireArray(tags.map(\.value)))::text[])
            ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value
            """, logger: logger)
        if let name = tags.last(where: { $0.key == "mlflow.runName" })?.value {
            try await connection.query("UPDATE runs SET name = \(name) WHERE run_key = \(run)", logger: logger)
        }
    }

    public func deleteRunTag(runID: String, key: String) async throws {
        try await database.write { connection in
            let run = try await Self.requireActiveRun(connection, runID, logger: logger)
            let deleted = try await Self.count(
                connection.query("DELETE FROM tags WHERE run_key = \(run) AND key = \(key) RETURNING 1", logger: logger)
            )
            guard deleted > 0 else { throw TrackingError.tagNotFound(runID: runID, key: key) }
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        try await database.write { connection in
            _ = try await Self.requireActiveRun(connection, runID, logger: logger)
            var experimentID: Int64 = 0
            for try await id in try await connection.query(
                "SELECT experiment_id FROM runs WHERE run_uuid = \(runID)", logger: logger
            ).decode(Int64.self) {
                experimentID = id
            }
            for input in datasets {
                let datasetID = try await Self.dataset(
                    connection, input.dataset, experiment: experimentID, logger: logger)
                let inputID = try await Self.link(
                    connection, source: ("DATASET", datasetID), runID: runID, logger: logger)
                let tags = Self.lastOfEachKey(input.tags)
                if !tags.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO input_tags(input_uuid, key, value)
                        SELECT \(inputID), * FROM unnest(\(WireArray(tags.map(\.key)))::text[], \(WireArray(tags.map(\.value)))::text[])
                        ON CONFLICT (input_uuid, key) DO UPDATE SET value = excluded.value
                        """, logger: logger)
                }
            }
            for modelID in modelIDs {
                _ = try await Self.link(connection, source: ("MODEL", modelID), runID: runID, logger: logger)
            }
        }
    }

    /// The id of a dataset of an experiment, recorded now unless it was before (its first record is kept).
    static func dataset(
        _ connection: PostgresConnection, _ dataset: Dataset, experiment: Int64, logger: Logger
    ) async throws -> String {
        for try await id in try await connection.query(
            """
            INSERT INTO datasets(dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
            VALUES (\(randomHexID()), \(experiment), \(dataset.name), \(dataset.digest), \(dataset.sourceType),
                    \(dataset.source), \(dataset.schema), \(dataset.profile))
            ON CONFLICT (experiment_id, name, digest) DO NOTHING RETURNING dataset_uuid
            """, logger: logger
        ).decode(String.self) {
            return id
        }
        for try await id in try await connection.query(
            """
            SELECT dataset_uuid FROM datasets
            WHERE experiment_id = \(experiment) AND name = \(dataset.name) AND digest = \(dataset.digest)
            """, logger: logger
        ).decode(String.self) {
            return id
        }
        throw PostgresStoreError("The dataset '\(dataset.name)' was neither inserted nor found")
    }

    /// Records that a run consumed a dataset or model, once; returns the link's id.
    static func link(
        _ connection: PostgresConnection, source: (type: String, id: String), runID: String, logger: Logger
    ) async throws -> String {
        for try await id in try await connection.query(
            """
            INSERT INTO inputs(input_uuid, source_type, source_id, destination_type, destination_id)
            VALUES (\(randomHexID()), \(source.type), \(source.id), 'RUN', \(runID))
            ON CONFLICT (destination_type, destination_id, source_type, source_id) DO NOTHING RETURNING input_uuid
            """, logger: logger
        ).decode(String.self) {
            return id
        }
        for try await id in try await connection.query(
            """
            SELECT input_uuid FROM inputs
            WHERE destination_type = 'RUN' AND destination_id = \(runID) AND source_type = \(source.type)
              AND source_id = \(source.id)
            """, logger: logger
        ).decode(String.self) {
            return id
        }
        throw PostgresStoreError("The input of run \(runID) was neither inserted nor found")
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        var byModel: [String: Int] = [:]
        var outputs: [ModelOutput] = []
        for model in models {
            if let index = byModel[model.modelID] {
                outputs[index] = model
            } else {
                byModel[model.modelID] = outputs.count
                outputs.append(model)
            }
        }
        try await database.write { connection in
            let run = try await Self.requireActiveRun(connection, runID, logger: logger)
            guard !outputs.isEmpty else { return }
            try await connection.query(
                """
                INSERT INTO run_outputs(run_key, model_id, step)
                SELECT \(run), * FROM unnest(\(WireArray(outputs.map(\.modelID)))::text[], \(WireArray(outputs.map(\.step)))::int8[])
                ON CONFLICT (run_key, model_id) DO UPDATE SET step = excluded.step
                """, logger: logger)
        }
    }

    public func metricHistory(runID: String, key: String, offset: Int, limit: Int) async throws -> [Metric] {
        try await database.read { connection in
            // One row of arrays rather than a row per value: a history is read whole, and each row of a result costs
            // far more to receive than an array element. The page is aggregated in the order the subquery reads it.
            //
            // First the three numeric columns alone, packed by PostgreSQL into one bytea of 24-byte records (value,
            // NaN as a float8 NaN; timestamp; step; each big-endian as its send function writes it), with a count of
            // the values that carry a model or a dataset. Most histories have none. Sending every row's three text
            // columns as arrays took PostgreSQL more time than reading the rows, and three numeric arrays more than
            // the packed records (`COPY ... TO '/dev/null'`, 10,000 values: 13, 4.1 and 3.5 ms; 1.8 ms to read them).
            // When some value carries a model or a dataset, the page is read again with every column.
            let dense = try await connection.query(
                Self.historyPage(
                    aggregates: """
                        string_agg(float8send(CASE WHEN is_nan THEN 'NaN'::float8 ELSE value END) || int8send(timestamp)
                                   || int8send(step), ''::bytea),
                        count(*) FILTER (WHERE model_id IS NOT NULL OR dataset_name IS NOT NULL
                                         OR dataset_digest IS NOT NULL)
                        """, runID: runID, key: key, offset: offset, limit: limit), logger: logger)
            var metrics: [Metric] = []
            var withExtras: Int64 = 0
            try await RowColumns.forEach(dense) { row in
                let records = try row.nextCell().bytes
                withExtras = try row.next(Int64.self)
                guard let records else { return }
                metrics = try records.withUnsafeReadableBytes { try Self.historyRecords($0, key: key) }
            }
            if withExtras > 0 {
                metrics = try await Self.fullHistory(
                    connection, runID: runID, key: key, offset: offset, limit: limit, logger: logger)
            }
            if metrics.isEmpty {
                _ = try await Self.requireRun(connection, runID, lock: "", logger: logger)
            }
            return metrics
        }
    }

    /// The points of packed history records (24 bytes each: value, timestamp, step, big-endian), each built in
    /// place in the array: appended from the async caller, each point was built, copied in and destroyed.
    static func historyRecords(_ raw: UnsafeRawBufferPointer, key: String) throws -> [Metric] {
        guard raw.count % 24 == 0 else { throw PostgresStoreError("a metric history's records are not 24 bytes each") }
        let count = raw.count / 24
        return [Metric](unsafeUninitializedCapacity: count) { points, initialized in
            var reader = BigEndianReader(raw)
            while initialized < count, let value = reader.int64(), let timestamp = reader.int64(),
                let step = reader.int64()
            {
                (points.baseAddress! + initialized).initialize(
                    to: Metric(
                        key: key, value: Double(bitPattern: UInt64(bitPattern: value)), timestamp: timestamp,
                        step: step))
                initialized += 1
            }
        }
    }

    /// `aggregates` (a fixed list of SQL expressions, never input) over one page of a metric's history, in the
    /// history's order.
    static func historyPage(
        aggregates: StaticString, runID: String, key: String, offset: Int, limit: Int
    ) -> PostgresQuery {
        var binds = PostgresBindings(capacity: 4)
        binds.append(runID)
        binds.append(key)
        binds.append(Int64(limit))
        binds.append(Int64(offset))
        return PostgresQuery(
            unsafeSQL: """
                SELECT \(aggregates)
                FROM (
                    SELECT value, is_nan, timestamp, step, model_id, dataset_name, dataset_digest FROM metrics
                    WHERE run_key = (SELECT run_key FROM runs WHERE run_uuid = $1) AND key = $2
                    ORDER BY timestamp, step, value LIMIT $3 OFFSET $4
                ) page
                """, binds: binds)
    }

    /// A history page with every column, the optional ones as arrays of text with a bit mask of those absent
    /// (arrays cannot hold NULL here).
    static func fullHistory(
        _ connection: PostgresConnection, runID: String, key: String, offset: Int, limit: Int, logger: Logger
    ) async throws -> [Metric] {
        let rows = try await connection.query(
            historyPage(
                aggregates: """
                    array_agg(value), array_agg(is_nan), array_agg(timestamp), array_agg(step),
                    array_agg(coalesce(model_id, '')), array_agg(coalesce(dataset_name, '')),
                    array_agg(coalesce(dataset_digest, '')),
                    array_agg((model_id IS NULL)::int4 | ((dataset_name IS NULL)::int4 << 1)
                              | ((dataset_digest IS NULL)::int4 << 2))
                    """, runID: runID, key: key, offset: offset, limit: limit), logger: logger)
        var metrics: [Metric] = []
        try await RowColumns.forEach(rows) { row in
            let values = try row.nextArray(RowColumns.double)
            let isNaN = try row.nextArray(RowColumns.bool)
            let timestamps = try row.nextArray(RowColumns.int64)
            let steps = try row.nextArray(RowColumns.int64)
            let models = try row.nextArray(RowColumns.string)
            let datasetNames = try row.nextArray(RowColumns.string)
            let datasetDigests = try row.nextArray(RowColumns.string)
            let nulls = try row.nextArray(RowColumns.int32)
            let count = values.count
            let counts = [
                isNaN.count, timestamps.count, steps.count, models.count, datasetNames.count, datasetDigests.count,
                nulls.count,
            ]
            guard counts.allSatisfy({ $0 == count }) else {
                throw PostgresStoreError("a metric history's columns differ in length")
            }
            metrics.reserveCapacity(count)
            for index in 0..<count {
                let absent = nulls[index]
                metrics.append(
                    Metric(
                        key: key, value: isNaN[index] ? .nan : values[index], timestamp: timestamps[index],
                        step: steps[index], modelID: absent & 1 == 0 ? models[index] : nil,
                        datasetName: absent & 2 == 0 ? datasetNames[index] : nil,
                        datasetDigest: absent & 4 == 0 ? datasetDigests[index] : nil))
            }
        }
        return metrics
    }
}
