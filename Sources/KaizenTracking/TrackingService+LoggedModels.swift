public import KaizenCore

extension TrackingService {
    /// Creates a logged model in `PENDING` state; its artifacts go under the experiment's location.
    public func createLoggedModel(
        experimentID: String, name: String?, modelType: String?, sourceRunID: String?, params: [Param], tags: [Tag]
    ) async throws -> LoggedModel {
        guard !experimentID.isEmpty else { throw KaizenError.missingParameter("experiment_id") }
        let experiment = try await experiment(id: experimentID)
        guard experiment.lifecycleStage == .active else {
            throw TrackingError.experimentNotActive(experiment.id, stage: experiment.lifecycleStage)
        }
        if let sourceRunID, !sourceRunID.isEmpty { _ = try await run(id: sourceRunID) }
        for tag in tags { try TrackingValidation.validateKey(tag.key, kind: "Tag key") }
        for param in params { try TrackingValidation.validateKey(param.key, kind: "Param key") }
        let modelID = "m-" + randomHexID()
        let now = currentTimeMillis()
        let model = LoggedModel(
            modelID: modelID, experimentID: experiment.id,
            name: (name?.isEmpty == false ? name : nil) ?? RunNameGenerator.next(),
            artifactURI: "\(experiment.artifactLocation)/models/\(modelID)/artifacts", status: .pending,
            modelType: modelType ?? "", sourceRunID: sourceRunID?.isEmpty == true ? nil : sourceRunID,
            creationTimestamp: now, lastUpdatedTimestamp: now, tags: tags, params: params)
        try await store.createLoggedModel(model)
        return model
    }

    public func loggedModel(id: String) async throws -> LoggedModel {
        guard !id.isEmpty else { throw KaizenError.missingParameter("model_id") }
        guard let model = try await store.loggedModel(id: id) else { throw TrackingError.loggedModelNotFound(id) }
        return model
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        _ = try await loggedModel(id: id)
        try await store.setLoggedModelStatus(id: id, to: status, now: currentTimeMillis())
        return try await loggedModel(id: id)
    }

    public func setLoggedModelTags(id: String, tags: [Tag]) async throws {
        for tag in tags { try TrackingValidation.validateKey(tag.key, kind: "Tag key") }
        _ = try await loggedModel(id: id)
        try await store.setLoggedModelTags(id: id, tags: tags, now: currentTimeMillis())
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        _ = try await loggedModel(id: id)
        try await store.deleteLoggedModelTag(id: id, key: key)
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        for param in params { try TrackingValidation.validateKey(param.key, kind: "Param key") }
        _ = try await loggedModel(id: id)
        try await store.logLoggedModelParams(id: id, params: params)
    }

    public func deleteLoggedModel(id: String) async throws {
        _ = try await loggedModel(id: id)
        try await store.deleteLoggedModel(id: id)
    }

    public func searchLoggedModels(_ search: LoggedModelSearch) async throws -> Page<LoggedModel> {
        for id in search.experimentIDs { _ = try TrackingValidation.parseExperimentID(id) }
        return search.page(of: try await store.loggedModels(experimentIDs: search.experimentIDs))
    }
}
