import KaizenCore
import KaizenTracking
import Logging
import NIOCore
import PostgresNIO

/// Loading whole runs (info, latest metrics, params, tags, inputs, outputs) for the rows of a query on runs `r`:
/// two queries for any number of runs, whatever they hold. A run read alone comes this way, and so does each run a
/// search finds without its record (`RunRecord`), which is then recorded.
extension PostgresTrackingStore {
    /// The columns of runs `r` that `runInfos(from:)` reads.
    static let runSelection = """
        r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
        r.artifact_uri, r.lifecycle_stage
        """

    static func runInfos(from rows: PostgresRowSequence) async throws -> [(key: Int64, info: RunInfo)] {
        var infos: [(key: Int64, info: RunInfo)] = []
        try await RowColumns.forEach(rows) { row in infos.append(try runInfo(&row)) }
        return infos
    }

    /// The run key and info of a row selected with `runSelection`, its columns read from `row` in order.
    static func runInfo(_ row: inout RowColumns) throws -> (key: Int64, info: RunInfo) {
        let key = try row.nextInt64()
        let id = try row.nextString()
        let experiment = try row.nextInt64()
        let name = try row.nextString()
        let user = try row.nextString()
        let status = try row.nextString()
        return (
            key,
            RunInfo(
                runID: id, experimentID: String(experiment), runName: name, userID: user,
                status: RunStatus(rawValue: status) ?? .running, startTime: try row.nextInt64(),
                endTime: try row.nextInt64OrNil(), artifactURI: try row.nextString(),
                lifecycleStage: LifecycleStage(rawValue: try row.nextString()) ?? .active)
        )
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
        // Runs are filled in place in an array; through a dictionary of runs, each child row copied its whole run.
        var runs = infos.map { Run(info: $0.info) }
        var indexByKey: [Int64: Int] = [:]
        indexByKey.reserveCapacity(infos.count)
        for (index, key) in infos.map(\.key).enumerated() { indexByKey[key] = index }
        let children = try await connection.execute(RunChildrenStatement(keys: infos.map(\.key)), logger: logger)
        let malformed = PostgresStoreError("a run's children arrays differ in length")
        for try await result in children {
            var row = RowColumns(result)
            let metricRuns = try row.nextArray(RowColumns.int64)
            let metricKeys = try row.nextArray(RowColumns.string)
            let values = try row.nextArray(RowColumns.double)
            let nans = try row.nextArray(RowColumns.bool)
            let timestamps = try row.nextArray(RowColumns.int64)
            let steps = try row.nextArray(RowColumns.int64)
            guard
                [metricKeys.count, values.count, nans.count, timestamps.count, steps.count].allSatisfy({
                    $0 == metricRuns.count
                })
            else { throw malformed }
            for (index, key) in metricRuns.enumerated() {
                guard let run = indexByKey[key] else { continue }
                runs[run].metrics.append(
                    Metric(
                        key: metricKeys[index], value: nans[index] ? .nan : values[index],
                        timestamp: timestamps[index], step: steps[index]))
            }
            let paramRuns = try row.nextArray(RowColumns.int64)
            let paramKeys = try row.nextArray(RowColumns.string)
            let paramValues = try row.nextArray(RowColumns.string)
            guard paramKeys.count == paramRuns.count, paramValues.count == paramRuns.count else { throw malformed }
            for (index, key) in paramRuns.enumerated() {
                guard let run = indexByKey[key] else { continue }
                runs[run].params.append(Param(key: paramKeys[index], value: paramValues[index]))
            }
            let tagRuns = try row.nextArray(RowColumns.int64)
            let tagKeys = try row.nextArray(RowColumns.string)
            let tagValues = try row.nextArray(RowColumns.string)
            guard tagKeys.count == tagRuns.count, tagValues.count == tagRuns.count else { throw malformed }
            for (index, key) in tagRuns.enumerated() {
                guard let run = indexByKey[key] else { continue }
                runs[run].tags.append(Tag(key: tagKeys[index], value: tagValues[index]))
            }
            let outputRuns = try row.nextArray(RowColumns.int64)
            let models = try row.nextArray(RowColumns.string)
            let outputSteps = try row.nextArray(RowColumns.int64)
            guard models.count == outputRuns.count, outputSteps.count == outputRuns.count else { throw malformed }
            for (index, key) in outputRuns.enumerated() {
                guard let run = indexByKey[key] else { continue }
                runs[run].modelOutputs.append(ModelOutput(modelID: models[index], step: outputSteps[index]))
            }
        }
        try await loadInputs(connection, into: &runs, logger: logger)
        return runs
    }

    /// Adds their dataset and model inputs to `runs`, in the order they were logged.
    static func loadInputs(_ connection: PostgresConnection, into runs: inout [Run], logger: Logger) async throws {
        guard !runs.isEmpty else { return }
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(runs.count)
        for (index, run) in runs.enumerated() { indexByID[run.info.runID] = index }
        for try await (
            runID, sourceType, sourceID, name, digest, datasetSourceType, source, schema, profile, tagKeys,
            tagValues
        ) in try await connection.execute(RunInputsStatement(runIDs: runs.map(\.info.runID)), logger: logger) {
            guard let run = indexByID[runID] else { continue }
            if sourceType == "MODEL" {
                runs[run].modelInputs.append(sourceID)
                continue
            }
            let dataset = Dataset(
                name: name ?? "", digest: digest ?? "", sourceType: datasetSourceType ?? "", source: source ?? "",
                schema: schema, profile: profile)
            let tags = zip(tagKeys ?? [], tagValues ?? []).map { Tag(key: $0, value: $1) }
            runs[run].datasetInputs.append(DatasetInput(dataset: dataset, tags: tags))
        }
    }

    /// Runs loaded at once in parts of at least this many, each part on its own connection.
    static let runsPerPart = 250
    /// At most this many parts.
    static let maxParts = 4

    /// The runs of `keys`, complete, by key (a run deleted meanwhile is left out), each recorded in
    /// `runs.search_record` (`RunRecord`), and kept as `rendering` writes it when one is given, when no write to it
    /// is in flight: for many runs (a page of search), in up
    /// to `maxParts` parts loaded at once, each on a connection of its own, so that the database and this server
    /// read them on several cores. A part's queries cost PostgreSQL about 2.7 µs per run and child table, and 1,000
    /// runs of a search took about 11 ms of its time in one part.
    static func loadAndRecordRuns(
        _ database: PostgresDatabase, keys: [Int64], rendering: RunRendering? = nil, logger: Logger
    ) async throws -> [Int64: LoadedRun] {
        let parts = min(maxParts, keys.count / runsPerPart)
        guard parts > 1 else {
            return try await loadAndRecordPart(database, keys: keys, rendering: rendering, logger: logger)
        }
        let size = (keys.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: [Int64: LoadedRun].self) { group in
            for start in stride(from: 0, to: keys.count, by: size) {
                let part = Array(keys[start..<min(start + size, keys.count)])
                group.addTask {
                    try await loadAndRecordPart(database, keys: part, rendering: rendering, logger: logger)
                }
            }
            var runs: [Int64: LoadedRun] = [:]
            for try await part in group { runs.merge(part) { run, _ in run } }
            return runs
        }
    }

    /// The runs of `keys`, loaded and recorded in one transaction that never waits for a lock, so it never waits
    /// on a writer that waits on it. Before a run is read, its lock is taken (exclusive; a writer takes it shared
    /// before it clears the record, so the record a writer's change missed is cleared when it commits) and so is
    /// its row (which an update of its info needs); a run whose lock or row is held is loaded but not recorded.
    /// Triggers clear the record, and the rendering with it, on any write to the run (migrations `tracking-v3` and
    /// `tracking-v5`).
    private static func loadAndRecordPart(
        _ database: PostgresDatabase, keys: [Int64], rendering: RunRendering?, logger: Logger
    ) async throws -> [Int64: LoadedRun] {
        guard !keys.isEmpty else { return [:] }
        let version = rendering?.version ?? ""
        // Without a rendering, a run whose record is kept is left as it is. (The version is hexadecimal digits.)
        let unrecorded =
            rendering == nil
            ? "search_record IS NULL"
            : "(search_record IS NULL OR search_document IS NULL OR search_document_version IS DISTINCT FROM '\(version)')"
        return try await database.write { connection in
            var locked: [Int64] = []
            for try await key in try await connection.query(
                """
                SELECT run_key FROM runs
                WHERE run_key IN (
                        SELECT k FROM unnest(\(keys)::int8[]) AS k
                        WHERE pg_try_advisory_xact_lock(\(PostgresSchema.runRecordLockClass), hashint8(k)))
                  AND \(unescaped: unrecorded)
                FOR NO KEY UPDATE SKIP LOCKED
                """, logger: logger
            ).decode(Int64.self) {
                locked.append(key)
            }
            var select = SQLStatement()
            let placeholder = select.bind(keys)
            select.append("SELECT \(runSelection) FROM runs r WHERE r.run_key = ANY(\(placeholder))")
            let rows = try await connection.query(select.query, logger: logger)
            let infos = try await runInfos(from: rows)
            let runs = try await loadRuns(connection, infos: infos, logger: logger)
            var byKey: [Int64: LoadedRun] = [:]
            for (info, run) in zip(infos, runs) {
                // Each run rendered once: kept when it is recorded, and answered either way.
                byKey[info.key] = LoadedRun(run: run, document: rendering?.render(run))
            }
            let recorded = locked.filter { byKey[$0] != nil }
            guard !recorded.isEmpty else { return byKey }
            let records = recorded.map { RunRecord.encode(byKey[$0]!.run) }
            if rendering != nil {
                try await connection.query(
                    """
                    UPDATE runs r
                    SET search_record = v.record, search_document = v.document, search_document_version = \(version)
                    FROM unnest(
                            \(recorded)::int8[], \(records)::bytea[],
                            \(recorded.map { ByteBuffer(bytes: byKey[$0]!.document!) })::bytea[])
                         AS v(run_key, record, document)
                    WHERE r.run_key = v.run_key
                    """, logger: logger)
            } else {
                try await connection.query(
                    """
                    UPDATE runs r SET search_record = v.record
                    FROM unnest(\(recorded)::int8[], \(records)::bytea[]) AS v(run_key, record)
                    WHERE r.run_key = v.run_key
                    """, logger: logger)
            }
            return byKey
        }
    }
}

/// A run loaded whole by `PostgresTrackingStore.loadAndRecordRuns`, with its rendering when one was asked for.
struct LoadedRun: Sendable {
    var run: Run
    var document: [UInt8]?
}
