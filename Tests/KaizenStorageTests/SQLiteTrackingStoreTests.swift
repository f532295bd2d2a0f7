import Foundation
import KaizenCore
import KaizenStorage
import KaizenTracking
import Testing

struct SQLiteTrackingStoreTests {
    func makeService() throws -> TrackingService {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-\(UUID().uuidString).db").path
        let pool = try SQLiteDatabase.open(path)
        return TrackingService(
            store: SQLiteTrackingStore(pool: pool), defaultArtifactRoot: "mlflow-artifacts:/", workingDirectory: "/srv")
    }

    @Test func bootstrapCreatesDefaultExperiment() async throws {
        let tracking = try makeService()
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

    @Test func logBatchIsIdempotentAndKeepsLatestMetric() async throws {
        let tracking = try makeService()
        try await tracking.bootstrap()
        let run = try await tracking.createRun(experimentID: "0", userID: "u", runName: nil, startTime: 1, tags: [])
        let id = run.info.runID
        #expect(run.info.runName.split(separator: "-").count == 3)
        let metrics = [
            Metric(key: "loss", value: 0.5, timestamp: 10, step: 1),
            Metric(key: "loss", value: 0.9, timestamp: 5, step: 0),
            Metric(key: "nan", value: .nan, timestamp: 1, step: 0), Metric(key: "inf", value: .infinity, timestamp: 1),
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

    @Test func paramsAreImmutableAndBatchIsAtomic() async throws {
        let tracking = try makeService()
        try await tracking.bootstrap()
        let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: []).info
            .runID
        try await tracking.logParam(runID: id, param: Param(key: "alpha", value: "0.5"))
        await #expect(throws: KaizenError.self) {
            try await tracking.logBatch(
                runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 1)],
                params: [Param(key: "alpha", value: "0.6")], tags: [])
        }
        let run = try await tracking.run(id: id)
        #expect(run.metrics.isEmpty)
        #expect(run.params == [Param(key: "alpha", value: "0.5")])
    }

    @Test func deletedRunsRefuseWrites() async throws {
        let tracking = try makeService()
        try await tracking.bootstrap()
        let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: []).info
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

    @Test func searchFiltersOrdersAndPages() async throws {
        let tracking = try makeService()
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
            try RunSearch(experimentIDs: ["0"], filter: "tags.team ILIKE 'core' and metrics.rmse < 0.25", orderBy: []))
        #expect(Set(iLike.items.map(\.info.runName)) == ["run-2", "run-3"])
        let byID = try await tracking.searchRuns(
            try RunSearch(experimentIDs: ["0"], filter: "attributes.run_id IN ('\(ids[0])', '\(ids[1])')", orderBy: []))
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

    @Test func deletingAnExperimentDeletesItsRuns() async throws {
        let tracking = try makeService()
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

    @Test func concurrentWritersNeverSeeLockErrors() async throws {
        let tracking = try makeService()
        try await tracking.bootstrap()
        let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: []).info
            .runID
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for step in 0..<50 {
                        try await tracking.logMetric(
                            runID: id,
                            metric: Metric(key: "m", value: Double(step), timestamp: Int64(worker), step: Int64(step)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let history = try await tracking.metricHistory(runID: id, key: "m", maxResults: nil, pageToken: nil)
        #expect(history.items.count == 400)
    }
}
