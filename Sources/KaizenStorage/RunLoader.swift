import GRDB
import KaizenCore
import KaizenTracking

/// Loads whole runs (info, latest metrics, params, tags, inputs, outputs) for a list of ids with a
/// fixed number of queries, in the order of the ids. Columns are read by position: this is the hot path of search.
///
/// The ids go in as one JSON array that each statement walks (`json_each`), so the statements' text is the same
/// for every list: each is prepared once per connection and kept, where a list of placeholders made a new
/// statement to parse per call, and SQLite builds no temporary index of the list.
enum RunLoader {
    /// The ids per statement where a list still goes in as placeholders.
    static let chunkSize = 500

    static func load(_ db: Database, ids: [String]) throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        let arguments = jsonList(ids)
        var runs: [String: Run] = [:]
        runs.reserveCapacity(ids.count)
        var metrics: [String: [Metric]] = [:]
        var params: [String: [Param]] = [:]
        var tags: [String: [Tag]] = [:]
        var datasets: [String: [DatasetInput]] = [:]
        var modelInputs: [String: [String]] = [:]
        var outputs: [String: [ModelOutput]] = [:]
        // CROSS JOIN keeps the list outermost: each id is one range of the child table's primary key.
        try ColumnReader.forEachRow(
            try db.cachedStatement(
                sql: """
                    SELECT m.run_uuid, m.key, m.value, m.is_nan, m.timestamp, m.step
                    FROM json_each(?) j CROSS JOIN latest_metrics m ON m.run_uuid = j.value ORDER BY j.key, m.key
                    """), arguments: arguments
        ) { row in
            metrics[row.string(0), default: []].append(
                Metric(
                    key: row.string(1), value: row.bool(3) ? .nan : row.double(2), timestamp: row.int64(4),
                    step: row.int64(5)))
        }
        try ColumnReader.forEachRow(
            try db.cachedStatement(
                sql: """
                    SELECT p.run_uuid, p.key, p.value
                    FROM json_each(?) j CROSS JOIN params p ON p.run_uuid = j.value ORDER BY j.key, p.key
                    """), arguments: arguments
        ) { row in
            params[row.string(0), default: []].append(Param(key: row.string(1), value: row.string(2)))
        }
        try ColumnReader.forEachRow(
            try db.cachedStatement(
                sql: """
                    SELECT t.run_uuid, t.key, t.value
                    FROM json_each(?) j CROSS JOIN tags t ON t.run_uuid = j.value ORDER BY j.key, t.key
                    """), arguments: arguments
        ) { row in
            tags[row.string(0), default: []].append(Tag(key: row.string(1), value: row.string(2)))
        }
        try loadInputs(db, arguments: arguments, datasets: &datasets, models: &modelInputs)
        let outputRows = try Row.fetchCursor(
            try db.cachedStatement(
                sql: """
                    SELECT o.run_uuid, o.model_id, o.step
                    FROM json_each(?) j CROSS JOIN run_outputs o ON o.run_uuid = j.value ORDER BY o.step, o.model_id
                    """), arguments: arguments)
        while let row = try outputRows.next() {
            outputs[row[0], default: []].append(ModelOutput(modelID: row[1], step: row[2]))
        }
        try ColumnReader.forEachRow(
            try db.cachedStatement(
                sql: """
                    SELECT r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
                           r.artifact_uri, r.lifecycle_stage
                    FROM json_each(?) j CROSS JOIN runs r ON r.run_uuid = j.value
                    """), arguments: arguments
        ) { row in
            let id = row.string(0)
            let info = RunInfo(
                runID: id, experimentID: String(row.int64(1)), runName: row.string(2), userID: row.string(3),
                status: RunStatus(rawValue: row.string(4)) ?? .running, startTime: row.int64(5),
                endTime: row.isNull(6) ? nil : row.int64(6), artifactURI: row.string(7),
                lifecycleStage: LifecycleStage(rawValue: row.string(8)) ?? .active)
            runs[id] = Run(
                info: info, metrics: metrics[id] ?? [], params: params[id] ?? [], tags: tags[id] ?? [],
                datasetInputs: datasets[id] ?? [], modelInputs: modelInputs[id] ?? [], modelOutputs: outputs[id] ?? [])
        }
        return ids.compactMap { runs[$0] }
    }

    /// `values` as the one argument of a statement that walks them with `json_each(?)`.
    static func jsonList(_ values: [String]) -> StatementArguments {
        var list = JSONWriter(capacity: values.count * 35 + 2)
        list.beginArray()
        for value in values { list.string(value) }
        list.endArray()
        return [String(decoding: list.bytes, as: UTF8.self)]
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    static func loadInputs(
        _ db: Database, arguments: StatementArguments, datasets: inout [String: [DatasetInput]],
        models: inout [String: [String]]
    ) throws {
        let inputRows = try Row.fetchAll(
            try db.cachedStatement(
                sql: """
                    SELECT i.input_uuid, i.destination_id, i.source_type, i.source_id, d.name, d.digest,
                           d.source_type AS dataset_source_type, d.source, d.schema, d.profile
                    FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND d.dataset_uuid = i.source_id
                    WHERE i.destination_type = 'RUN' AND i.destination_id IN (SELECT value FROM json_each(?))
                    ORDER BY i.rowid
                    """), arguments: arguments)
        guard !inputRows.isEmpty else { return }
        var inputTags: [String: [Tag]] = [:]
        let inputIDs = inputRows.map { $0["input_uuid"] as String }
        for row in try Row.fetchAll(
            try db.cachedStatement(
                sql: "SELECT * FROM input_tags WHERE input_uuid IN (SELECT value FROM json_each(?)) ORDER BY key"),
            arguments: jsonList(inputIDs))
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
