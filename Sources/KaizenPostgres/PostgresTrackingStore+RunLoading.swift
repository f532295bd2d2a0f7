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
        // Runs are filled in place in an array; through a dictionary of runs, each child row copied its whole run.
        var runs = infos.map { Run(info: $0.info) }
        var indexByKey: [Int64: Int] = [:]
        var indexByID: [String: Int] = [:]
        indexByKey.reserveCapacity(infos.count)
        indexByID.reserveCapacity(infos.count)
        for (index, (key, info)) in infos.enumerated() {
            indexByKey[key] = index
            indexByID[info.runID] = index
        }
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
        for try await (
            runID, sourceType, sourceID, name, digest, datasetSourceType, source, schema, profile, tagKeys,
            tagValues
        ) in try await connection.execute(RunInputsStatement(runIDs: infos.map(\.info.runID)), logger: logger) {
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
        return runs
    }

    /// Runs loaded at once in parts of at least this many, each part on its own connection.
    static let runsPerPart = 250
    /// At most this many parts.
    static let maxParts = 4

    /// The runs of `infos`, complete, in their order: for many runs (a page of search), in up to `maxParts` parts
    /// loaded at once, each on a connection of its own, so that the database and this server read them on several
    /// cores. A part's queries cost PostgreSQL about 2.7 µs per run and child table, and 1,000 runs of a search
    /// took about 11 ms of its time in one part.
    static func loadRuns(
        _ database: PostgresDatabase, infos: [(key: Int64, info: RunInfo)], logger: Logger
    ) async throws -> [Run] {
        let parts = min(maxParts, infos.count / runsPerPart)
        guard parts > 1 else {
            return try await database.read { connection in
                try await loadRuns(connection, infos: infos, logger: logger)
            }
        }
        let size = (infos.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: (Int, [Run]).self) { group in
            for start in stride(from: 0, to: infos.count, by: size) {
                let part = Array(infos[start..<min(start + size, infos.count)])
                group.addTask {
                    let runs = try await database.read { connection in
                        try await loadRuns(connection, infos: part, logger: logger)
                    }
                    return (start / size, runs)
                }
            }
            var loaded = [[Run]](repeating: [], count: parts)
            for try await (part, runs) in group { loaded[part] = runs }
            return Array(loaded.joined())
        }
    }
}
