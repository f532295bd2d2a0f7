import Foundation
import KaizenCore
import KaizenPostgres
import KaizenStorage
import KaizenTracking
import Testing

/// A tracking service over a fresh, empty store of one backend, closed (and its PostgreSQL schema dropped) after
/// `body`, whatever its outcome.
func withTracking(_ backend: StoreBackend, _ body: (TrackingService) async throws -> Void) async throws {
    switch backend {
    case .sqlite:
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-\(UUID().uuidString).db").path
        let pool = try SQLiteDatabase.open(path)
        try await body(
            TrackingService(
                store: SQLiteTrackingStore(pool: pool), defaultArtifactRoot: "mlflow-artifacts:/",
                workingDirectory: "/srv"))
    case .postgres:
        let database = try await TestPostgres.open()
        do {
            try await body(
                TrackingService(
                    store: PostgresTrackingStore(database: database), defaultArtifactRoot: "mlflow-artifacts:/",
                    workingDirectory: "/srv"))
        } catch {
            await TestPostgres.drop(database)
            throw error
        }
        await TestPostgres.drop(database)
    }
}

/// The behaviour every `TrackingStore` must have, run on every backend (`StoreBackend.all`).
struct TrackingStoreConformanceTests {
    @Test(arguments: StoreBackend.all) func bootstrapCreatesDefaultExperiment(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            try await tracking.bootstrap()
            let experiment = try await tracking.experiment(id: "0")
            #expect(experiment.name == "Default")
            #expect(experiment.artifactLocation == "mlflow-artifacts:/0")
            let id = try await tracking.createExperiment(
                name: "e", artifactLocation: nil, tags: [Tag(key: "k", value: "v")])
            #expect(id == "1")
            #expect(try await tracking.experiment(named: "e").tags == [Tag(key: "k", value: "v")])
            await #expect(throws: KaizenError.self) {
                try await tracking.createExperiment(name: "e", artifactLocation: nil, tags: [])
            }
            await #expect(throws: KaizenError.notFound("Could not find experiment with name 'nope'")) {
                try await tracking.experiment(named: "nope")
            }
        }
    }

    @Test(arguments: StoreBackend.all) func logBatchIsIdempotentAndKeepsLatestMetric(backend: StoreBackend) async throws
    {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let run = try await tracking.createRun(experimentID: "0", userID: "u", runName: nil, startTime: 1, tags: [])
            let id = run.info.runID
            #expect(run.info.runName.split(separator: "-").count == 3)
            let metrics = [
                Metric(key: "loss", value: 0.5, timestamp: 10, step: 1),
                Metric(key: "loss", value: 0.9, timestamp: 5, step: 0),
                Metric(key: "nan", value: .nan, timestamp: 1, step: 0),
                Metric(key: "inf", value: .infinity, timestamp: 1),
            ]
            try await tracking.logBatch(runID: id, metrics: metrics, params: [Param(key: "a", value: "1")], tags: [])
            try await tracking.logBatch(runID: id, metrics: metrics, params: [Param(key: "a", value: "1")], tags: [])
            let history = try await tracking.metricHistory(runID: id, key: "loss", maxResults: nil, pageToken: nil)
            #expect(history.items.map(\.value) == [0.9, 0.5])
            let stored = try await tracking.run(id: id)
            #expect(stored.metrics.first { $0.key == "loss" }?.value == 0.5)
            #expect(stored.metrics.first { $0.key == "nan" }?.value.isNaN == true)
            #expect(stored.metrics.first { $0.key == "inf" }?.value == .greatestFiniteMagnitude)
            #expect(stored.params == [Param(key: "a", value: "1")])
        }
    }

    @Test(arguments: StoreBackend.all) func paramsAreImmutableAndBatchIsAtomic(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info
                .runID
            try await tracking.logParam(runID: id, param: Param(key: "alpha", value: "0.5"))
            let changed = TrackingError.paramChanged(runID: id, key: "alpha", old: "0.5", new: "0.6")
            await #expect(throws: changed) {
                try await tracking.logBatch(
                    runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 1)],
                    params: [Param(key: "beta", value: "1"), Param(key: "alpha", value: "0.6")],
                    tags: [Tag(key: "t", value: "v")])
            }
            let run = try await tracking.run(id: id)
            #expect(run.metrics.isEmpty)
            #expect(run.params == [Param(key: "alpha", value: "0.5")])
            #expect(run.tags == [Tag(key: "mlflow.runName", value: "r")])
            #expect(try await tracking.store.metricSummaries(runIDs: [id]).isEmpty)
            // The same value again is harmless.
            try await tracking.logParam(runID: id, param: Param(key: "alpha", value: "0.5"))
        }
    }

    /// PostgreSQL's text cannot hold a NUL character (U+0000): there it is the client's error (`INVALID_PARAMETER_VALUE`,
    /// not a 500), on reads and writes alike, a batch that carries one writes nothing, and the pool stays usable.
    /// (SQLite's driver would cut the text at the NUL; the HTTP layer refuses it before any store sees it.)
    @Test(arguments: StoreBackend.all.filter { $0 == .postgres })
    func postgresRefusesANULCharacterWhole(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info
                .runID
            let batch = {
                try await tracking.logBatch(
                    runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 1)],
                    params: [Param(key: "a", value: "1")], tags: [Tag(key: "t", value: "x\u{0}y")])
            }
            #expect(await errorCode(batch) == "INVALID_PARAMETER_VALUE")
            #expect(await errorCode { _ = try await tracking.experiment(named: "e\u{0}") } == "INVALID_PARAMETER_VALUE")
            let run = try await tracking.run(id: id)
            #expect(run.metrics.isEmpty && run.params.isEmpty)
            #expect(run.tags == [Tag(key: "mlflow.runName", value: "r")])
            try await tracking.logParam(runID: id, param: Param(key: "a", value: "1"))
            #expect(try await tracking.run(id: id).params == [Param(key: "a", value: "1")])
        }
    }

    @Test(arguments: StoreBackend.all) func deletedRunsRefuseWrites(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info
                .runID
            try await tracking.deleteRun(id: id)
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.logMetric(runID: id, metric: Metric(key: "m", value: 1, timestamp: 1))
            }
            try await tracking.restoreRun(id: id)
            try await tracking.logMetric(runID: id, metric: Metric(key: "m", value: 1, timestamp: 1))
            await #expect(throws: TrackingError.runNotFound("0123456789abcdef0123456789abcdef")) {
                try await tracking.run(id: "0123456789abcdef0123456789abcdef")
            }
        }
    }

    @Test(arguments: StoreBackend.all) func searchFiltersOrdersAndPages(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let values: [Double] = [0.3, .nan, 0.1, 0.2]
            var ids: [String] = []
            for (index, value) in values.enumerated() {
                let id = try await tracking.createRun(
                    experimentID: "0", userID: "", runName: "run-\(index)", startTime: Int64(index), tags: []
                ).info.runID
                ids.append(id)
                try await tracking.logBatch(
                    runID: id, metrics: [Metric(key: "rmse", value: value, timestamp: 1)],
                    params: [Param(key: "alpha", value: index % 2 == 0 ? "a" : "b")],
                    tags: [Tag(key: "team", value: "Core")])
            }
            _ = try await tracking.createRun(experimentID: "0", userID: "", runName: "bare", startTime: 9, tags: [])
            let ordered = try await tracking.searchRuns(
                try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: ["metrics.rmse ASC"]))
            #expect(Array(ordered.items.map(\.info.runName).prefix(3)) == ["run-2", "run-3", "run-0"])
            #expect(ordered.items.count == 5)
            let descending = try await tracking.searchRuns(
                try RunSearch(experimentIDs: ["0"], filter: "params.alpha = 'a'", orderBy: ["metrics.rmse DESC"]))
            #expect(descending.items.map(\.info.runName) == ["run-0", "run-2"])
            let like = try await tracking.searchRuns(
                try RunSearch(experimentIDs: ["0"], filter: "tags.team LIKE 'core'", orderBy: []))
            #expect(like.items.isEmpty)
            let iLike = try await tracking.searchRuns(
                try RunSearch(
                    experimentIDs: ["0"], filter: "tags.team ILIKE 'core' and metrics.rmse < 0.25", orderBy: []))
            #expect(Set(iLike.items.map(\.info.runName)) == ["run-2", "run-3"])
            let byID = try await tracking.searchRuns(
                try RunSearch(
                    experimentIDs: ["0"], filter: "attributes.run_id IN ('\(ids[0])', '\(ids[1])')", orderBy: []))
            #expect(Set(byID.items.map(\.info.runID)) == [ids[0], ids[1]])
            let first = try await tracking.searchRuns(
                try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: ["attributes.start_time ASC"], maxResults: 2))
            #expect(first.items.map(\.info.runName) == ["run-0", "run-1"])
            let second = try await tracking.searchRuns(
                try RunSearch(
                    experimentIDs: ["0"], filter: nil, orderBy: ["attributes.start_time ASC"], maxResults: 3,
                    pageToken: first.nextPageToken.map { _ in PageToken(offset: 2).encoded }))
            #expect(second.items.map(\.info.runName) == ["run-2", "run-3", "bare"])
            #expect(second.nextPageToken == nil)
        }
    }

    /// Eight runs: `metrics.a` is the index (missing on run 5, NaN on run 6), `params.p` is `x` on every third
    /// run, `tags.t` says whether the index is even.
    func withOrCorpus(
        _ backend: StoreBackend, _ body: (TrackingService, [String]) async throws -> Void
    ) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            var ids: [String] = []
            for index in 0..<8 {
                let id = try await tracking.createRun(
                    experimentID: "0", userID: "", runName: "run-\(index)", startTime: Int64(index), tags: []
                ).info.runID
                ids.append(id)
                let metrics =
                    index == 5 ? [] : [Metric(key: "a", value: index == 6 ? .nan : Double(index), timestamp: 1)]
                try await tracking.logBatch(
                    runID: id, metrics: metrics, params: [Param(key: "p", value: index % 3 == 0 ? "x" : "y")],
                    tags: [Tag(key: "t", value: index % 2 == 0 ? "even" : "odd")])
            }
            try await body(tracking, ids)
        }
    }

    func names(
        _ tracking: TrackingService, _ filter: String, orderBy: [String] = [], maxResults: Int64? = nil,
        offset: Int = 0
    ) async throws -> [String] {
        let search = try RunSearch(
            experimentIDs: ["0"], filter: filter, orderBy: orderBy, maxResults: maxResults,
            pageToken: offset == 0 ? nil : PageToken(offset: offset).encoded)
        return try await tracking.searchRuns(search).items.map(\.info.runName)
    }

    @Test(arguments: StoreBackend.all) func orIsTheUnionOfItsSides(backend: StoreBackend) async throws {
        try await withOrCorpus(backend) { tracking, ids async throws in
            let sides = [
                ("metrics.a > 3", "params.p = 'x'"),
                ("metrics.a < 2", "attributes.run_id IN ('\(ids[5])', '\(ids[7])')"),
                ("metrics.a IS NULL", "metrics.a != 2"), ("tags.t = 'odd'", "params.p LIKE 'y'"),
                ("metrics.a > 100", "run_name = 'none'"),
            ]
            for (left, right) in sides {
                let union = Set(try await names(tracking, left)).union(try await names(tracking, right))
                #expect(Set(try await names(tracking, "\(left) OR \(right)")) == union, "\(left) OR \(right)")
                #expect(Set(try await names(tracking, "(\(right)) or (\(left))")) == union, "\(right) OR \(left)")
            }
            #expect(
                Set(try await names(tracking, "metrics.a > 3 OR params.p = 'x'")) == [
                    "run-0", "run-3", "run-4", "run-6", "run-7",
                ])
        }
    }

    @Test(arguments: StoreBackend.all) func groupsAndPrecedenceSelectTheRightRuns(backend: StoreBackend) async throws {
        try await withOrCorpus(backend) { tracking, ids async throws in
            let grouped = "(metrics.a > 3 OR params.p = 'x') AND tags.t = 'even'"
            #expect(Set(try await names(tracking, grouped)) == ["run-0", "run-4", "run-6"])
            let ungrouped = "metrics.a > 3 OR params.p = 'x' AND tags.t = 'even'"
            #expect(Set(try await names(tracking, ungrouped)) == ["run-0", "run-4", "run-6", "run-7"])
            let nested =
                "tags.t = 'odd' AND (metrics.a < 2 OR (params.p = 'x' AND metrics.a >= 3)) OR run_name = 'run-5'"
            #expect(Set(try await names(tracking, nested)) == ["run-1", "run-3", "run-5"])
        }
    }

    @Test(arguments: StoreBackend.all) func orFiltersOrderAndPage(backend: StoreBackend) async throws {
        try await withOrCorpus(backend) { tracking, ids async throws in
            let grouped = "(metrics.a > 3 OR params.p = 'x') AND tags.t = 'even'"
            // Values first, then NaN, whatever the direction.
            #expect(try await names(tracking, grouped, orderBy: ["metrics.a DESC"]) == ["run-4", "run-0", "run-6"])
            #expect(
                try await names(tracking, grouped, orderBy: ["metrics.a DESC"], maxResults: 2) == ["run-4", "run-0"])
            #expect(
                try await names(tracking, grouped, orderBy: ["metrics.a DESC"], maxResults: 2, offset: 2) == ["run-6"])
            let union = "metrics.a > 3 OR params.p = 'x'"
            var pages: [[String]] = []
            for offset in stride(from: 0, to: 6, by: 2) {
                pages.append(
                    try await names(
                        tracking, union, orderBy: ["attributes.start_time ASC"], maxResults: 2, offset: offset))
            }
            #expect(pages == [["run-0", "run-3"], ["run-4", "run-6"], ["run-7"]])
            let search = try RunSearch(
                experimentIDs: ["0"], filter: union, orderBy: ["params.p ASC", "metrics.a DESC"], maxResults: 4)
            let page = try await tracking.searchRuns(search)
            #expect(page.items.map(\.info.runName) == ["run-3", "run-0", "run-6", "run-7"])
            #expect(page.nextPageToken == PageToken(offset: 4).encoded)
        }
    }

    /// SQLite's parser has a fixed stack in the versions systems ship (3.40 refuses SQL nested about 16 deep):
    /// the deepest filters the grammar accepts, with the costliest comparisons innermost, must still run, on every
    /// backend.
    @Test(arguments: StoreBackend.all) func theDeepestFiltersRun(backend: StoreBackend) async throws {
        try await withOrCorpus(backend) { tracking, ids async throws in
            let dataset = "datasets.context = 'train'"
            func nested(_ prefix: String, _ depth: Int) -> String {
                String(repeating: prefix, count: depth) + dataset + String(repeating: ")", count: depth)
            }
            let right = nested("metrics.a > 1 AND (params.p = 'x' OR ", 10)
            #expect(try await names(tracking, right) == ["run-3"])
            let alternating = nested("tags.t = 'odd' OR tags.t = 'odd' AND (", 10)
            #expect(Set(try await names(tracking, alternating)) == ["run-1", "run-3", "run-5", "run-7"])
            await #expect(throws: KaizenError.self) { try await names(tracking, nested("tags.t = 'odd' OR (", 11)) }
        }
    }

    @Test(arguments: StoreBackend.all) func deletingAnExperimentDeletesItsRuns(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let experiment = try await tracking.createExperiment(name: "x", artifactLocation: nil, tags: [])
            let id = try await tracking.createRun(
                experimentID: experiment, userID: "", runName: nil, startTime: 1, tags: []
            ).info.runID
            try await tracking.deleteExperiment(id: experiment)
            #expect(try await tracking.run(id: id).info.lifecycleStage == .deleted)
            await #expect(throws: KaizenError.self) {
                try await tracking.createRun(experimentID: experiment, userID: "", runName: nil, startTime: 1, tags: [])
            }
            try await tracking.restoreExperiment(id: experiment)
            #expect(try await tracking.run(id: id).info.lifecycleStage == .active)
            await #expect(throws: KaizenError.self) { try await tracking.deleteExperiment(id: "0") }
        }
    }

    @Test(arguments: StoreBackend.all) func concurrentWritersNeverSeeLockErrors(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info
                .runID
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for step in 0..<50 {
                            try await tracking.logMetric(
                                runID: id,
                                metric: Metric(
                                    key: "m", value: Double(step), timestamp: Int64(worker), step: Int64(step)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let history = try await tracking.metricHistory(runID: id, key: "m", maxResults: nil, pageToken: nil)
            #expect(history.items.count == 400)
        }
    }
}
