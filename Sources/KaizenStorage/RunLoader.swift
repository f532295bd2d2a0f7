import GRDB
import KaizenCore
import KaizenTracking

/// Loads whole runs (info, latest metrics, params, tags, inputs, outputs) for a list of ids with a
/// fixed number of queries per chunk, in the order of the ids.
enum RunLoader {
    static let chunkSize = 500

    static func load(_ db: Database, ids: [String]) throws -> [Run] {
        var runs: [String: Run] = [:]
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
        for row in try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE run_uuid IN (\(marks))", arguments: arguments) {
            let id: String = row["run_uuid"]
            let experimentID: Int64 = row["experiment_id"]
            let info = RunInfo(
                runID: id, experimentID: String(experimentID), runName: row["name"], userID: row["user_id"],
                status: RunStatus(rawValue: row["status"]) ?? .running, startTime: row["start_time"],
                endTime: row["end_time"], artifactURI: row["artifact_uri"],
                lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active)
            runs[id] = Run(info: info)
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM latest_metrics WHERE run_uuid IN (\(marks)) ORDER BY key", arguments: arguments)
        {
            let metric = Metric(
                key: row["key"], value: row["is_nan"] ? .nan : row["value"], timestamp: row["timestamp"],
                step: row["step"])
            runs[row["run_uuid"]]?.metrics.append(metric)
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM params WHERE run_uuid IN (\(marks)) ORDER BY key", arguments: arguments)
        {
            runs[row["run_uuid"]]?.params.append(Param(key: row["key"], value: row["value"]))
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM tags WHERE run_uuid IN (\(marks)) ORDER BY key", arguments: arguments)
        {
            runs[row["run_uuid"]]?.tags.append(Tag(key: row["key"], value: row["value"]))
        }
        let inputRows = try Row.fetchAll(
            db,
            sql: """
                SELECT i.input_uuid, i.destination_id, i.source_type, i.source_id, d.name, d.digest,
                       d.source_type AS dataset_source_type, d.source, d.schema, d.profile
                FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND d.dataset_uuid = i.source_id
                WHERE i.destination_type = 'RUN' AND i.destination_id IN (\(marks))
                ORDER BY i.rowid
                """, arguments: arguments)
        if !inputRows.isEmpty {
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
                    runs[runID]?.modelInputs.append(row["source_id"])
                    continue
                }
                let dataset = Dataset(
                    name: row["name"] ?? "", digest: row["digest"] ?? "", sourceType: row["dataset_source_type"] ?? "",
                    source: row["source"] ?? "", schema: row["schema"], profile: row["profile"])
                runs[runID]?.datasetInputs.append(DatasetInput(dataset: dataset, tags: inputTags[row["input_uuid"]] ?? []))
            }
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM run_outputs WHERE run_uuid IN (\(marks)) ORDER BY step, model_id",
            arguments: arguments)
        {
            runs[row["run_uuid"]]?.modelOutputs.append(ModelOutput(modelID: row["model_id"], step: row["step"]))
        }
    }
}
