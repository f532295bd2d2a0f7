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
        // Latest metrics, params, tags and outputs in one result; `kind` says which.
        let children = try await connection.query(
            """
            SELECT 0::int4 AS kind, run_key, key, NULL::text AS text_value, value, is_nan, timestamp, step, 0::int8 AS ord
            FROM latest_metrics WHERE run_key = ANY(\(keys))
            UNION ALL
            SELECT 1, run_key, key, value, NULL, NULL, NULL, NULL, 0 FROM params WHERE run_key = ANY(\(keys))
            UNION ALL
            SELECT 2, run_key, key, value, NULL, NULL, NULL, NULL, 0 FROM tags WHERE run_key = ANY(\(keys))
            UNION ALL
            SELECT 3, run_key, model_id, NULL, NULL, NULL, NULL, step, step FROM run_outputs
            WHERE run_key = ANY(\(keys))
            ORDER BY kind, run_key, ord, key
            """, logger: logger)
        try await RowColumns.forEach(children) { row in
            let kind = try row.next(Int32.self)
            let key = try row.next(Int64.self)
            let name = try row.next(String.self)
            let text = try row.next(String?.self)
            switch kind {
            case 0:
                let value = try row.next(Double?.self)
                let isNaN = try row.next(Bool?.self)
                runs[key]?.metrics.append(
                    Metric(
                        key: name, value: isNaN == true ? .nan : value ?? 0, timestamp: try row.next(Int64?.self) ?? 0,
                        step: try row.next(Int64?.self) ?? 0))
            case 1: runs[key]?.params.append(Param(key: name, value: text ?? ""))
            case 2: runs[key]?.tags.append(Tag(key: name, value: text ?? ""))
            default:
                _ = (try row.next(Double?.self), try row.next(Bool?.self), try row.next(Int64?.self))
                runs[key]?.modelOutputs.append(ModelOutput(modelID: name, step: try row.next(Int64?.self) ?? 0))
            }
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
