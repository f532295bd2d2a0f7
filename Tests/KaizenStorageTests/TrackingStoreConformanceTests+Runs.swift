import KaizenCore
import KaizenTracking
import Testing

extension TrackingStoreConformanceTests {
    @Test(arguments: StoreBackend.all) func runsUpdateRenameAndTags(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let run = try await tracking.createRun(
                experimentID: "0", userID: "ann", runName: "first", startTime: 5,
                tags: [Tag(key: "a", value: "1"), Tag(key: "a", value: "2")])
            let id = run.info.runID
            var stored = try await tracking.run(id: id)
            #expect(stored.info == run.info)
            #expect(stored.tags == [Tag(key: "a", value: "2"), Tag(key: "mlflow.runName", value: "first")])
            #expect(stored.info.artifactURI == "mlflow-artifacts:/0/\(id)/artifacts")

            let updated = try await tracking.updateRun(id: id, status: .finished, endTime: 9, runName: "second")
            #expect(updated.status == .finished)
            #expect(updated.endTime == 9)
            #expect(updated.runName == "second")
            #expect(updated.startTime == 5)
            let unchanged = try await tracking.updateRun(id: id, status: nil, endTime: nil, runName: nil)
            #expect(unchanged == updated)
            stored = try await tracking.run(id: id)
            #expect(stored.tags.contains(Tag(key: "mlflow.runName", value: "second")))

            try await tracking.setTag(runID: id, tag: Tag(key: "mlflow.runName", value: "third"))
            #expect(try await tracking.run(id: id).info.runName == "third")
            try await tracking.deleteTag(runID: id, key: "a")
            #expect(try await tracking.run(id: id).tags == [Tag(key: "mlflow.runName", value: "third")])
            await #expect(throws: TrackingError.tagNotFound(runID: id, key: "a")) {
                try await tracking.deleteTag(runID: id, key: "a")
            }

            try await tracking.deleteRun(id: id)
            #expect(try await tracking.run(id: id).info.lifecycleStage == .deleted)
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.updateRun(id: id, status: .failed, endTime: nil, runName: nil)
            }
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.setTag(runID: id, tag: Tag(key: "x", value: "y"))
            }
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.store.logBatch(runID: id, metrics: [], params: [], tags: [])
            }
            try await tracking.restoreRun(id: id)
            #expect(try await tracking.run(id: id).info.lifecycleStage == .active)

            let missing = "0123456789abcdef0123456789abcdef"
            await #expect(throws: TrackingError.runNotFound(missing)) { try await tracking.deleteRun(id: missing) }
            await #expect(throws: TrackingError.runNotFound(missing)) {
                try await tracking.updateRun(id: missing, status: .failed, endTime: nil, runName: nil)
            }
            await #expect(throws: TrackingError.runNotFound(missing)) {
                try await tracking.logMetric(runID: missing, metric: Metric(key: "m", value: 1, timestamp: 1))
            }
            await #expect(throws: TrackingError.runNotFound(missing)) {
                try await tracking.logParam(runID: missing, param: Param(key: "p", value: "1"))
            }
            await #expect(throws: TrackingError.experimentNotFound("7")) {
                try await tracking.store.createRun(
                    RunInfo(
                        runID: missing, experimentID: "7", runName: "r", userID: "", status: .running, startTime: 1,
                        endTime: nil, artifactURI: "a", lifecycleStage: .active), tags: [])
            }
        }
    }

    @Test(arguments: StoreBackend.all) func inputsAndOutputsAreLoadedWithTheRun(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info.runID
            let train = DatasetInput(
                dataset: Dataset(name: "iris", digest: "d1", sourceType: "local", source: "/data", schema: "{}"),
                tags: [Tag(key: "mlflow.data.context", value: "train")])
            let eval = DatasetInput(
                dataset: Dataset(name: "iris", digest: "d2", sourceType: "local", source: "/data2", profile: "p"))
            try await tracking.logInputs(runID: id, datasets: [train, eval], modelIDs: ["m-1"])
            try await tracking.logInputs(runID: id, datasets: [train], modelIDs: ["m-1"])
            try await tracking.logOutputs(
                runID: id, models: [ModelOutput(modelID: "m-b", step: 2), ModelOutput(modelID: "m-a", step: 2)])
            try await tracking.logOutputs(runID: id, models: [ModelOutput(modelID: "m-c", step: 1)])
            let run = try await tracking.run(id: id)
            #expect(run.datasetInputs == [train, eval])
            #expect(run.modelInputs == ["m-1"])
            #expect(
                run.modelOutputs == [
                    ModelOutput(modelID: "m-c", step: 1), ModelOutput(modelID: "m-a", step: 2),
                    ModelOutput(modelID: "m-b", step: 2),
                ])
            try await tracking.deleteRun(id: id)
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.logInputs(runID: id, datasets: [train], modelIDs: [])
            }
            await #expect(throws: TrackingError.runNotActive(id, stage: .deleted)) {
                try await tracking.logOutputs(runID: id, models: [])
            }
        }
    }

    @Test(arguments: StoreBackend.all) func loggedModelsLifecycle(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let run = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
            let first = try await tracking.createLoggedModel(
                experimentID: "0", name: "model", modelType: "sklearn", sourceRunID: run.info.runID,
                params: [Param(key: "b", value: "2"), Param(key: "a", value: "1")], tags: [Tag(key: "t", value: "v")])
            #expect(try await tracking.loggedModel(id: first.modelID) == first.withSortedEntries)
            try await tracking.logMetric(
                runID: run.info.runID,
                metric: Metric(key: "acc", value: 0.9, timestamp: 3, step: 1, modelID: first.modelID, datasetName: "d"))
            try await tracking.logMetric(
                runID: run.info.runID,
                metric: Metric(key: "acc", value: .nan, timestamp: 2, step: 0, modelID: first.modelID))
            let withMetrics = try await tracking.loggedModel(id: first.modelID)
            #expect(withMetrics.metrics.map(\.step) == [0, 1])
            #expect(withMetrics.metrics[0].value.isNaN)
            #expect(withMetrics.metrics[1].datasetName == "d")
            #expect(withMetrics.metrics[1].modelID == first.modelID)

            let ready = try await tracking.finalizeLoggedModel(id: first.modelID, status: .ready)
            #expect(ready.status == .ready)
            try await tracking.setLoggedModelTags(
                id: first.modelID, tags: [Tag(key: "t", value: "w"), Tag(key: "u", value: "x")])
            try await tracking.deleteLoggedModelTag(id: first.modelID, key: "u")
            await #expect(
                throws: KaizenError.notFound("No tag with key 'u' found for logged model '\(first.modelID)'.")
            ) {
                try await tracking.deleteLoggedModelTag(id: first.modelID, key: "u")
            }
            try await tracking.logLoggedModelParams(id: first.modelID, params: [Param(key: "c", value: "3")])
            let model = try await tracking.loggedModel(id: first.modelID)
            #expect(model.tags == [Tag(key: "t", value: "w")])
            #expect(model.params.map(\.key) == ["a", "b", "c"])
            await #expect(throws: TrackingError.loggedModelNotFound("m-none")) {
                try await tracking.store.setLoggedModelStatus(id: "m-none", to: .ready, now: 1)
            }

            let second = try await tracking.createLoggedModel(
                experimentID: "0", name: nil, modelType: nil, sourceRunID: nil, params: [], tags: [])
            let listed = try await tracking.store.loggedModels(experimentIDs: ["0", "x"])
            #expect(Set(listed.map(\.modelID)) == [first.modelID, second.modelID])
            #expect(listed.map(\.creationTimestamp) == listed.map(\.creationTimestamp).sorted(by: >))
            try await tracking.deleteLoggedModel(id: first.modelID)
            await #expect(throws: TrackingError.loggedModelNotFound(first.modelID)) {
                try await tracking.loggedModel(id: first.modelID)
            }
            #expect(try await tracking.store.loggedModels(experimentIDs: ["0"]).map(\.modelID) == [second.modelID])
            #expect(try await tracking.store.loggedModels(experimentIDs: ["x"]).isEmpty)
        }
    }
}

extension LoggedModel {
    /// The model as a store returns it: tags and params by key.
    var withSortedEntries: LoggedModel {
        var model = self
        model.tags.sort { $0.key < $1.key }
        model.params.sort { $0.key < $1.key }
        return model
    }
}
