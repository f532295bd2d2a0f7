import GRDB
import KaizenCore
import KaizenTracking

/// Loads whole runs (info, latest metrics, params, tags, inputs, outputs) for a list of ids with a
/// fixed number of queries per chunk, in the order of the ids. Columns are read by position: this is
/// the hot path of search.
enum RunLoader {
    static let chunkSize = 500

    static func load(_ db: Database, ids: [String]) throws -> [Run] {
        var runs: [String: Run] = [:]
        runs.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + chunkSize, ids.count)])
            try loadChunk(db, ids: chunk, into: &runs)
            start += chunkSize
        }
        return ids.compactMap { runs[$0] }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    static func loadChunk(_ db: Database, ids: [String], into runs: inout [String: Run]) throws {
        let marks = placeholders(ids.count)
        let arguments = StatementArguments(ids)
        var metrics: [String: [Metric]] = [:]
        var params: [String: [Param]] = [:]
        var tags: [String: [Tag]] = [:]
        var datasets: [String: [DatasetInput]] = [:]
        var modelInputs: [String: [String]] = [:]
        var outputs: [String: [ModelOutput]] = [:]
        try ColumnReader.forEachRow(
            db,
            sql:
                "SELECT run_uuid, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_uuid IN (\(marks)) ORDER BY run_uuid, key",
            arguments: arguments
        ) { row in
            metrics[row.string(0), default: []].append(
                Metric(
                    key: row.string(1), value: row.bool(3) ? .nan : row.double(2), timestamp: row.int64(4),
                    step: row.int64(5)))
        }
        try ColumnReader.forEachRow(
            db, sql: "SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(marks)) ORDER BY run_uuid, key",
            arguments: arguments
        ) { row in
            params[row.string(0), default: []].append(Param(key: row.string(1), value: row.string(2)))
        }
        try ColumnReader.forEachRow(
            db, sql: "SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (\(marks)) ORDER BY run_uuid, key",
            arguments: arguments
        ) { row in
            tags[row.string(0), default: []].append(Tag(key: row.string(1), value: row.string(2)))
        }
        try loadInputs(db, marks: marks, arguments: arguments, datasets: &datasets, models: &modelInputs)
        let outputRows = try Row.fetchCursor(
            db,
            sql:
                "SELECT run_uuid, model_id, step FROM run_outputs WHERE run_uuid IN (\(marks)) ORDER BY step, model_id",
            arguments: arguments)
        while let row = try outputRows.next() {
            outputs[row[0], default: []].append(ModelOutput(modelID: row[1], step: row[2]))
        }
        let runRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage
                FROM runs WHERE run_uuid IN (\(marks))
                """, arguments: arguments)
        while let row = try runRows.next() {
            let id: String = row[0]
            let experimentID: Int64 = row[1]
            let info = RunInfo(
                runID: id, experimentID: String(experimentID), runName: row[2], userID: row[3],
                status: RunStatus(rawValue: row[4]) ?? .running, startTime: row[5], endTime: row[6],
                artifactURI: row[7],
                lifecycleStage: LifecycleStage(rawValue: row[8]) ?? .active)
            runs[id] = Run(
                info: info, metrics: metrics[id] ?? [], params: params[id] ?? [], tags: tags[id] ?? [],
                datasetInputs: datasets[id] ?? [], modelInputs: modelInputs[id] ?? [], modelOutputs: outputs[id] ?? [])
        }
    }

    static func loadInputs(
        _ db: Database, marks: String, arguments: StatementArguments, datasets: inout [String: [DatasetInput]],
        models: inout [String: [String]]
    ) throws {
        let inputRows = try Row.fetchAll(
            db,
            sql: """
                SELECT i.input_uuid, i.destination_id, i.source_type, i.source_id, d.name, d.digest,
                       d.source_type AS dataset_source_type, d.source, d.schema, d.profile
                FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND d.dataset_uuid = i.source_id
                WHERE i.destination_type = 'RUN' AND i.destination_id IN (\(marks))
                ORDER BY i.rowid
                """, arguments: arguments)
        guard !inputRows.isEmpty else { return }
        var inputTags: [String: [Tag]] = [:]
        let inputIDs = inputRows.map { $0["input_uuid"] as String }
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM input_tags WHERE input_uuid IN (\(placeholders(inputIDs.count))) ORDER BY key",
            arguments: StatementArguments(inputIDs))
        {
            inputTags[row["input_uuid"], default: []].append(Tag(key: row["key"], value: row["value"]))
        }
        for row in inputRows {
            let runID: String = row["destination_id"]
            if row["source_type"] == "MODEL" {
                models[runID, default: []].append(row["source_id"])
                continue
            }
            let dataset = Dataset(
                name: row["name"] ?? "", digest: row["digest"] ?? "", sourceType: row["dataset_source_type"] ?? "",
                source: row["source"] ?? "", schema: row["schema"], profile: row["profile"])
            datasets[runID, default: []].append(
                DatasetInput(dataset: dataset, tags: inputTags[row["input_uuid"]] ?? []))
        }
    }
}
