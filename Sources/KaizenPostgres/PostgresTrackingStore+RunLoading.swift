import KaizenCore
import KaizenTracking
import Logging
import PostgresNIO

/// Loading whole runs (info, latest metrics, params, tags, inputs, outputs) for the rows of a query on runs `r`:
/// two queries for any number of runs, whatever they hold. This is the hot path of search.
extension PostgresTrackingStore {
    /// The columns of runs `r` that `runInfos(from:)` reads.
    static let runSelection = """
        r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
        r.artifact_uri, r.lifecycle_stage
        """

    static func runInfos(from rows: PostgresRowSequence) async throws -> [(key: Int64, info: RunInfo)] {
        var infos: [(key: Int64, info: RunInfo)] = []
        try await RowColumns.forEach(rows) { row in
            let key = try row.next(Int64.self)
            let id = try row.next(String.self)
            let experiment = try row.next(Int64.self)
            let name = try row.next(String.self)
            let user = try row.next(String.self)
            let status = try row.next(String.self)
            infos.append(
                (
                    key,
                    RunInfo(
                        runID: id, experimentID: String(experiment), runName: name, userID: user,
                        status: RunStatus(rawValue: status) ?? .running, startTime: try row.next(),
                        endTime: try row.next(), artifactURI: try row.next(),
                        lifecycleStage: LifecycleStage(rawValue: try row.next()) ?? .active)
                ))
        }
        return infos
    }

    /// The runs of `rows` (selected with `runSelection`), complete, in the order of the rows.
    static func loadRuns(
        _ connection: PostgresConnection, rows: PostgresRowSequence, logger: Logger
    ) async throws -> [Run] {
        try await loadRuns(connection, infos: runInfos(from: rows), logger: logger)
    }

    /// The runs of `infos`, complete, in their order.
    static func loadRuns(
        _ connection: PostgresConnection, infos: [(key: Int64, info: RunInfo)], logger: Logger
    ) async throws -> [Run] {
        guard !infos.isEmpty else { return [] }
        var runs: [Int64: Run] = [:]
        var keysByID: [String: Int64] = [:]
        for (key, info) in infos {
            runs[key] = Run(info: info)
            keysByID[info.runID] = key
        }
        let keys = infos.map(\.key)
        // One row per run with its latest metrics, params, tags and outputs as arrays: a row of a result costs far
        // more to receive than an array element, and each run's children are read by their primary key, in its
        // order. Each aggregate takes the rows in the order its subquery returns them (one sort per aggregate would
        // cost more than the rest together).
        let children = try await connection.query(
            """
            SELECT k.run_key, m.keys, m.vals, m.nans, m.timestamps, m.steps, p.keys, p.vals, t.keys, t.vals,
                   o.models, o.steps
            FROM unnest(\(keys)::int8[]) AS k(run_key)
            LEFT JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS vals, array_agg(is_nan) AS nans,
                       array_agg(timestamp) AS timestamps, array_agg(step) AS steps
                FROM (SELECT * FROM latest_metrics WHERE run_key = k.run_key ORDER BY key) x
            ) m ON true
            LEFT JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS vals
                FROM (SELECT key, value FROM params WHERE run_key = k.run_key ORDER BY key) x
            ) p ON true
            LEFT JOIN LATERAL (
                SELECT array_agg(key) AS keys, array_agg(value) AS vals
                FROM (SELECT key, value FROM tags WHERE run_key = k.run_key ORDER BY key) x
            ) t ON true
            LEFT JOIN LATERAL (
                SELECT array_agg(model_id) AS models, array_agg(step) AS steps
                FROM (SELECT model_id, step FROM run_outputs WHERE run_key = k.run_key ORDER BY step, model_id) x
            ) o ON true
            """, logger: logger)
        try await RowColumns.forEach(children) { row in
            let key = try row.next(Int64.self)
            let metricKeys = try row.nextArray(RowColumns.string)
            let values = try row.nextArray(RowColumns.double)
            let nans = try row.nextArray(RowColumns.bool)
            let timestamps = try row.nextArray(RowColumns.int64)
            let steps = try row.nextArray(RowColumns.int64)
            let paramKeys = try row.nextArray(RowColumns.string)
            let paramValues = try row.nextArray(RowColumns.string)
            let tagKeys = try row.nextArray(RowColumns.string)
            let tagValues = try row.nextArray(RowColumns.string)
            let models = try row.nextArray(RowColumns.string)
            let outputSteps = try row.nextArray(RowColumns.int64)
            guard [values.count, nans.count, timestamps.count, steps.count].allSatisfy({ $0 == metricKeys.count }),
                paramKeys.count == paramValues.count, tagKeys.count == tagValues.count,
                models.count == outputSteps.count
            else { throw PostgresStoreError("a run's children arrays differ in length") }
            runs[key]?.metrics = metricKeys.indices.map { index in
                Metric(
                    key: metricKeys[index], value: nans[index] ? .nan : values[index], timestamp: timestamps[index],
                    step: steps[index])
            }
            runs[key]?.params = zip(paramKeys, paramValues).map { Param(key: $0, value: $1) }
            runs[key]?.tags = zip(tagKeys, tagValues).map { Tag(key: $0, value: $1) }
            runs[key]?.modelOutputs = zip(models, outputSteps).map { ModelOutput(modelID: $0, step: $1) }
        }
        let inputs = try await connection.query(
            """
            SELECT i.destination_id, i.source_type, i.source_id, d.name, d.digest, d.source_type, d.source, d.schema,
                   d.profile,
                   (SELECT array_agg(t.key ORDER BY t.key) FROM input_tags t WHERE t.input_uuid = i.input_uuid),
                   (SELECT array_agg(t.value ORDER BY t.key) FROM input_tags t WHERE t.input_uuid = i.input_uuid)
            FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND d.dataset_uuid = i.source_id
            WHERE i.destination_type = 'RUN' AND i.destination_id = ANY(\(infos.map(\.info.runID)))
            ORDER BY i.input_key
            """, logger: logger)
        for try await (
            runID, sourceType, sourceID, name, digest, datasetSourceType, source, schema, profile, tagKeys,
            tagValues
        ) in inputs.decode(
            (
                String, String, String, String?, String?, String?, String?, String?, String?, [String]?,
                [String]?
            ).self)
        {
            guard let key = keysByID[runID] else { continue }
            if sourceType == "MODEL" {
                runs[key]?.modelInputs.append(sourceID)
                continue
            }
            let dataset = Dataset(
                name: name ?? "", digest: digest ?? "", sourceType: datasetSourceType ?? "", source: source ?? "",
                schema: schema, profile: profile)
            let tags = zip(tagKeys ?? [], tagValues ?? []).map { Tag(key: $0, value: $1) }
            runs[key]?.datasetInputs.append(DatasetInput(dataset: dataset, tags: tags))
        }
        return infos.compactMap { runs[$0.key] }
    }
}
