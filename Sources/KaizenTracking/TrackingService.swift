public import KaizenCore

/// The tracking operations that the REST API and the CLI expose: validates input, applies MLflow's
/// defaults and rules, and calls the store.
public struct TrackingService: Sendable {
    public let store: any TrackingStore
    /// Where experiments keep artifacts when created without a location, e.g. `mlflow-artifacts:/`.
    public let defaultArtifactRoot: String
    /// Resolves relative artifact locations, as MLflow resolves them against the server's directory.
    public let workingDirectory: String

    public init(store: any TrackingStore, defaultArtifactRoot: String, workingDirectory: String) {
        self.store = store
        self.defaultArtifactRoot = defaultArtifactRoot
        self.workingDirectory = workingDirectory
    }

    /// Makes sure the `Default` experiment exists.
    public func bootstrap() async throws {
        try await store.ensureDefaultExperiment(artifactLocation: defaultLocation(for: "0"), now: currentTimeMillis())
    }

    func defaultLocation(for experimentID: String) -> String {
        var root = defaultArtifactRoot
        while root.hasSuffix("/") { root.removeLast() }
        return "\(root)/\(experimentID)"
    }

    // MARK: Experiments

    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws -> String {
        try TrackingValidation.validateExperimentName(name)
        for tag in tags { try Self.validateExperimentTag(tag) }
        let location = try artifactLocation.flatMap { $0.isEmpty ? nil : $0 }.map { location throws(KaizenError) in
            try ArtifactLocation.validate(location, workingDirectory: workingDirectory)
        }
        return try await store.createExperiment(
            name: name, artifactLocation: location, defaultArtifactLocation: { [self] id in defaultLocation(for: id) },
            tags: tags, now: currentTimeMillis())
    }

    public func experiment(id: String) async throws -> Experiment {
        _ = try TrackingValidation.parseExperimentID(id)
        guard let experiment = try await store.experiment(id: id) else { throw TrackingError.experimentNotFound(id) }
        return experiment
    }

    public func experiment(named name: String) async throws -> Experiment {
        guard !name.isEmpty else { throw KaizenError.missingParameter("experiment_name") }
        guard let experiment = try await store.experiment(named: name) else {
            throw TrackingError.experimentNotFound(named: name)
        }
        return experiment
    }

    public func searchExperiments(_ search: ExperimentSearch) async throws -> Page<Experiment> {
        try await store.searchExperiments(search)
    }

    public func renameExperiment(id: String, to newName: String) async throws {
        try TrackingValidation.validateExperimentName(newName)
        let experiment = try await experiment(id: id)
        guard experiment.lifecycleStage == .active else {
            throw KaizenError.invalidParameter("Cannot rename a non-active experiment.")
        }
        try await store.renameExperiment(id: id, to: newName, now: currentTimeMillis())
    }

    public func deleteExperiment(id: String) async throws {
        _ = try TrackingValidation.parseExperimentID(id)
        if id == "0" {
            throw KaizenError.invalidParameter(
                "Cannot delete the default experiment '0'. This is an internally reserved experiment."
            )
        }
        try await store.setExperimentLifecycle(id: id, to: .deleted, now: currentTimeMillis())
    }

    public func restoreExperiment(id: String) async throws {
        _ = try TrackingValidation.parseExperimentID(id)
        try await store.setExperimentLifecycle(id: id, to: .active, now: currentTimeMillis())
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        try Self.validateExperimentTag(tag)
        let experiment = try await experiment(id: id)
        guard experiment.lifecycleStage == .active else {
            throw TrackingError.experimentNotActive(id, stage: experiment.lifecycleStage)
        }
        try await store.setExperimentTag(id: id, tag: tag)
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        guard !key.isEmpty else { throw KaizenError.missingParameter("key") }
        let experiment = try await experiment(id: id)
        guard experiment.lifecycleStage == .active else {
            throw TrackingError.experimentNotActive(id, stage: experiment.lifecycleStage)
        }
        try await store.deleteExperimentTag(id: id, key: key)
    }

    static func validateExperimentTag(_ tag: Tag) throws(KaizenError) {
        try TrackingValidation.validateKey(tag.key, kind: "Tag key")
        try TrackingValidation.validateLength(
            tag.value, limit: TrackingValidation.maxExperimentTagValueLength, field: "value")
    }

    // MARK: Runs

    /// Creates a run in an active experiment, naming it when the caller gave no name.
    public func createRun(
        experimentID: String, userID: String, runName: String?, startTime: Int64?, tags: [Tag]
    ) async throws -> Run {
        let experiment = try await experiment(id: experimentID.isEmpty ? "0" : experimentID)
        guard experiment.lifecycleStage == .active else {
            throw TrackingError.experimentNotActive(experiment.id, stage: experiment.lifecycleStage)
        }
        var tags = try Self.prepareRunTags(tags)
        let tagName = tags.last { $0.key == "mlflow.runName" }?.value
        if let runName, !runName.isEmpty, let tagName, tagName != runName {
            throw KaizenError.invalidParameter(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                    + "(run_name='\(runName)', mlflow.runName='\(tagName)')."
            )
        }
        let name = (runName?.isEmpty == false ? runName : nil) ?? tagName ?? RunNameGenerator.next()
        tags.removeAll { $0.key == "mlflow.runName" }
        tags.append(Tag(key: "mlflow.runName", value: name))
        let runID = randomHexID()
        let info = RunInfo(
            runID: runID, experimentID: experiment.id, runName: name, userID: userID, status: .running,
            startTime: startTime ?? currentTimeMillis(), endTime: nil,
            artifactURI: "\(experiment.artifactLocation)/\(runID)/artifacts", lifecycleStage: .active)
        try await store.createRun(info, tags: tags)
        return Run(info: info, tags: tags)
    }

    public func run(id: String) async throws -> Run {
        try TrackingValidation.validateRunID(id)
        guard let run = try await store.run(id: id) else { throw TrackingError.runNotFound(id) }
        return run
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        try TrackingValidation.validateRunID(id)
        return try await store.updateRun(
            id: id, status: status, endTime: endTime, runName: runName?.isEmpty == true ? nil : runName)
    }

    public func deleteRun(id: String) async throws {
        try TrackingValidation.validateRunID(id)
        try await store.setRunLifecycle(id: id, to: .deleted, now: currentTimeMillis())
    }

    public func restoreRun(id: String) async throws {
        try TrackingValidation.validateRunID(id)
        try await store.setRunLifecycle(id: id, to: .active, now: currentTimeMillis())
    }

    /// Logs metrics, params and tags in one atomic write, after MLflow's checks and truncations.
    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        try TrackingValidation.validateRunID(runID)
        try TrackingValidation.validateBatch(metrics: metrics.count, params: params.count, tags: tags.count)
        let metrics = try metrics.map { metric throws(KaizenError) in
            try TrackingValidation.validateKey(metric.key, kind: "Metric key")
            var metric = metric
            if metric.value.isInfinite {
                metric.value = metric.value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
            }
            return metric
        }
        var seen: [String: String] = [:]
        var duplicates: [String] = []
        var uniqueParams: [Param] = []
        for param in params {
            try TrackingValidation.validateKey(param.key, kind: "Param key")
            let value = TrackingValidation.truncate(param.value, to: TrackingValidation.maxParamValueLength)
            if let previous = seen[param.key] {
                if previous != value, !duplicates.contains(param.key) { duplicates.append(param.key) }
                continue
            }
            seen[param.key] = value
            uniqueParams.append(Param(key: param.key, value: value))
        }
        if !duplicates.isEmpty { throw TrackingError.duplicateParams(duplicates) }
        let tags = try Self.prepareRunTags(tags)
        try await store.logBatch(runID: runID, metrics: metrics, params: uniqueParams, tags: tags)
    }

    public func logMetric(runID: String, metric: Metric) async throws {
        try await logBatch(runID: runID, metrics: [metric], params: [], tags: [])
    }

    public func logParam(runID: String, param: Param) async throws {
        try await logBatch(runID: runID, metrics: [], params: [param], tags: [])
    }

    /// Sets a run tag; `mlflow.runName` also renames the run (the store does both in one write).
    public func setTag(runID: String, tag: Tag) async throws {
        try await logBatch(runID: runID, metrics: [], params: [], tags: [tag])
    }

    public func deleteTag(runID: String, key: String) async throws {
        try TrackingValidation.validateRunID(runID)
        guard !key.isEmpty else { throw KaizenError.missingParameter("key") }
        try await store.deleteRunTag(runID: runID, key: key)
    }

    static func prepareRunTags(_ tags: [Tag]) throws(KaizenError) -> [Tag] {
        try tags.map { tag throws(KaizenError) in
            try TrackingValidation.validateKey(tag.key, kind: "Tag key")
            return Tag(
                key: tag.key, value: TrackingValidation.truncate(tag.value, to: TrackingValidation.maxRunTagValueLength)
            )
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        try TrackingValidation.validateRunID(runID)
        for input in datasets {
            let dataset = input.dataset
            guard !dataset.name.isEmpty else { throw KaizenError.missingParameter("dataset.name") }
            guard !dataset.digest.isEmpty else { throw KaizenError.missingParameter("dataset.digest") }
            try TrackingValidation.validateLength(
                dataset.name, limit: TrackingValidation.maxDatasetNameLength, field: "name")
            try TrackingValidation.validateLength(
                dataset.digest, limit: TrackingValidation.maxDatasetDigestLength, field: "digest")
            try TrackingValidation.validateLength(
                dataset.source, limit: TrackingValidation.maxDatasetSourceLength, field: "source")
            try TrackingValidation.validateLength(
                dataset.schema ?? "", limit: TrackingValidation.maxDatasetSchemaLength, field: "schema")
            try TrackingValidation.validateLength(
                dataset.profile ?? "", limit: TrackingValidation.maxDatasetProfileLength, field: "profile")
            for tag in input.tags {
                guard !tag.key.isEmpty else { throw KaizenError.missingParameter("tag.key") }
                try TrackingValidation.validateLength(
                    tag.key, limit: TrackingValidation.maxInputTagKeyLength, field: "key")
                try TrackingValidation.validateLength(
                    tag.value, limit: TrackingValidation.maxInputTagValueLength, field: "value")
            }
        }
        try await store.logInputs(runID: runID, datasets: datasets, modelIDs: modelIDs)
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try TrackingValidation.validateRunID(runID)
        try await store.logOutputs(runID: runID, models: models)
    }

    /// One page of a metric's history.
    public func metricHistory(
        runID: String, key: String, maxResults: Int64?, pageToken: String?
    ) async throws
        -> Page<Metric>
    {
        try TrackingValidation.validateRunID(runID)
        guard !key.isEmpty else { throw KaizenError.missingParameter("metric_key") }
        let limit = Int(
            min(
                max(maxResults ?? Int64(TrackingValidation.maxMetricHistoryResults), 1),
                Int64(TrackingValidation.maxMetricHistoryResults)))
        let offset = try PageToken(decoding: pageToken).offset
        var metrics = try await store.metricHistory(runID: runID, key: key, offset: offset, limit: limit + 1)
        let hasMore = metrics.count > limit
        if hasMore { metrics.removeLast() }
        // A client that names no page size gets the whole history, as MLflow returns it.
        if maxResults == nil, hasMore {
            var all = metrics
            var next = offset + limit
            while true {
                let more = try await store.metricHistory(runID: runID, key: key, offset: next, limit: 100_000)
                all += more
                if more.count < 100_000 { break }
                next += more.count
            }
            return Page(items: all)
        }
        return Page(items: metrics, nextPageToken: hasMore ? PageToken(offset: offset + limit).encoded : nil)
    }

    public func searchRuns(_ search: RunSearch) async throws -> Page<Run> {
        for id in search.experimentIDs { _ = try TrackingValidation.parseExperimentID(id) }
        return try await store.searchRuns(search)
    }

    /// A page of `searchRuns`, each run as `rendering` writes it, kept by the store between searches where it can.
    public func searchRenderedRuns(_ search: RunSearch, rendering: RunRendering) async throws -> Page<[UInt8]> {
        for id in search.experimentIDs { _ = try TrackingValidation.parseExperimentID(id) }
        return try await store.searchRenderedRuns(search, rendering: rendering)
    }
}
