public import KaizenCore
public import KaizenTracking

/// The registry operations that the REST API and the CLI expose: validation, source checks, lineage
/// to runs and logged models, audit and events.
public struct RegistryService: Sendable {
    public let store: any RegistryStore
    public let tracking: TrackingService
    public let events: any RegistryEventSink

    public init(store: any RegistryStore, tracking: TrackingService, events: any RegistryEventSink) {
        self.store = store
        self.tracking = tracking
        self.events = events
    }

    func publish(_ type: WebhookEventType, _ data: JSONValue) {
        events.publish(RegistryEvent(type: type, data: data, timestamp: currentTimeMillis()))
    }

    static func tagObject(_ tags: [Tag]) -> JSONValue {
        .object(tags.map { ($0.key, .string($0.value)) })
    }

    // MARK: Registered models

    public func createRegisteredModel(
        name: String, description: String?, tags: [Tag], actor: Actor
    ) async throws
        -> RegisteredModel
    {
        try RegistryValidation.validateModelName(name)
        var unique: [Tag] = []
        for tag in tags {
            try RegistryValidation.validateTag(tag)
            unique.removeAll { $0.key == tag.key }
            unique.append(tag)
        }
        let model = try await store.createRegisteredModel(
            name: name, description: description ?? "", tags: unique, now: currentTimeMillis(), actor: actor)
        publish(
            .registeredModelCreated,
            .object([
                ("name", .string(name)), ("tags", Self.tagObject(unique)), ("description", .string(description ?? "")),
            ]))
        return model
    }

    public func registeredModel(named name: String) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(name)
        guard let model = try await store.registeredModel(named: name) else { throw RegistryError.modelNotFound(name) }
        return model
    }

    public func renameRegisteredModel(name: String, to newName: String, actor: Actor) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateModelName(newName, field: "new_name")
        return try await store.renameRegisteredModel(name: name, to: newName, now: currentTimeMillis(), actor: actor)
    }

    public func updateRegisteredModel(name: String, description: String?, actor: Actor) async throws -> RegisteredModel
    {
        try RegistryValidation.validateModelName(name)
        return try await store.updateRegisteredModel(
            name: name, description: description ?? "", now: currentTimeMillis(), actor: actor)
    }

    public func deleteRegisteredModel(name: String, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try await store.deleteRegisteredModel(name: name, now: currentTimeMillis(), actor: actor)
    }

    public func setRegisteredModelTag(name: String, tag: Tag, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateTag(tag)
        try await store.setRegisteredModelTag(name: name, tag: tag, now: currentTimeMillis(), actor: actor)
    }

    public func deleteRegisteredModelTag(name: String, key: String, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try await store.deleteRegisteredModelTag(name: name, key: key, now: currentTimeMillis(), actor: actor)
    }

    public func searchRegisteredModels(_ search: RegisteredModelSearch) async throws -> Page<RegisteredModel> {
        try await store.searchRegisteredModels(search)
    }

    /// The newest version in each stage; no stages means all four.
    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let parsed = try stages.map { stage throws(KaizenError) in try RegistryValidation.parseStage(stage) }
        try RegistryValidation.validateModelName(name)
        return try await store.latestVersions(name: name, stages: parsed.isEmpty ? ModelStage.allCases : parsed)
    }

    // MARK: Model versions

    /// Registers a new version after checking its source against the run or logged model it names.
    public func createModelVersion(
        name: String, source: String, runID: String?, modelID: String?, runLink: String?, description: String?,
        tags: [Tag], actor: Actor
    ) async throws -> ModelVersion {
        try RegistryValidation.validateModelName(name)
        for tag in tags { try RegistryValidation.validateTag(tag) }
        let validator = ModelVersionSource(
            lookups: .init(
                run: { id in try? await tracking.run(id: id).info },
                loggedModel: { id in try? await tracking.loggedModel(id: id) },
                registeredVersion: { name, reference in try await resolve(name: name, reference: reference) }))
        let resolved = try await validator.resolve(
            source: source, runID: runID, modelID: modelID?.isEmpty == true ? nil : modelID)
        let version = try await store.createModelVersion(
            ModelVersionDraft(
                name: name, source: resolved.source, runID: resolved.runID, runLink: runLink ?? "",
                description: description ?? "", tags: tags, storageLocation: resolved.storageLocation),
            now: currentTimeMillis(), actor: actor)
        if let modelID, !modelID.isEmpty {
            try await recordVersion(version, onLoggedModel: modelID)
        }
        publish(
            .modelVersionCreated,
            .object([
                ("name", .string(name)), ("version", .string(String(version.version))),
                ("source", .string(version.source)),
                ("run_id", version.runID.isEmpty ? .null : .string(version.runID)), ("tags", Self.tagObject(tags)),
                ("description", description.map { .string($0) } ?? .null),
            ]))
        return version
    }

    /// Appends `{"name", "version"}` to the logged model's `mlflow.modelVersions` tag, as MLflow does.
    func recordVersion(_ version: ModelVersion, onLoggedModel modelID: String) async throws {
        let model = try await tracking.loggedModel(id: modelID)
        var entries =
            model.tags.last { $0.key == "mlflow.modelVersions" }
            .flatMap { try? JSONValue(parsing: $0.value).arrayValue } ?? []
        let entry: JSONValue = .object([("name", .string(version.name)), ("version", .integer(version.version))])
        if !entries.contains(entry) { entries.append(entry) }
        try await tracking.setLoggedModelTags(
            id: modelID, tags: [Tag(key: "mlflow.modelVersions", value: JSONValue.array(entries).jsonText)])
    }

    /// Resolves a version reference of a `models:/` URI: a number, a stage, `latest`, or `@alias`.
    public func resolve(name: String, reference: String) async throws -> ModelVersion {
        if reference.hasPrefix("@") {
            return try await versionByAlias(name: name, alias: String(reference.dropFirst()))
        }
        _ = try await registeredModel(named: name)
        if let number = Int64(reference) { return try await modelVersion(name: name, version: number) }
        if reference.lowercased() == "latest" {
            guard
                let newest = try await store.latestVersions(name: name, stages: ModelStage.allCases).max(by: {
                    $0.version < $1.version
                })
            else { throw KaizenError.notFound("Latest version not found for model \(name).") }
            return newest
        }
        let stage = try RegistryValidation.parseStage(reference)
        guard
            let newest = try await store.latestVersions(name: name, stages: [stage]).max(by: { $0.version < $1.version }
            )
        else {
            throw KaizenError.invalidParameter(
                "No versions of model with name '\(name)' and stage '\(reference)' found")
        }
        return newest
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion {
        try RegistryValidation.validateModelName(name)
        guard let found = try await store.modelVersion(name: name, version: version) else {
            throw RegistryError.versionNotFound(name, version)
        }
        return found
    }

    public func updateModelVersion(
        name: String, version: Int64, description: String?, actor: Actor
    ) async throws
        -> ModelVersion
    {
        try RegistryValidation.validateModelName(name)
        return try await store.updateModelVersion(
            name: name, version: version, description: description, now: currentTimeMillis(), actor: actor)
    }

    public func deleteModelVersion(name: String, version: Int64, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try await store.deleteModelVersion(name: name, version: version, now: currentTimeMillis(), actor: actor)
    }

    public func transitionStage(
        name: String, version: Int64, stage: String, archiveExisting: Bool, actor: Actor
    ) async throws -> ModelVersion {
        try RegistryValidation.validateModelName(name)
        let target = try RegistryValidation.parseStage(stage)
        if archiveExisting, !target.isActive {
            throw KaizenError.invalidParameter(
                "Model version transition cannot archive existing model versions because '\(stage)' is not an Active "
                    + "stage. Valid stages are ['Staging', 'Production']")
        }
        let before = try await modelVersion(name: name, version: version)
        let updated = try await store.transitionStage(
            name: name, version: version, to: target, archiveExisting: archiveExisting, now: currentTimeMillis(),
            actor: actor)
        publish(
            .stageTransitioned,
            .object([
                ("name", .string(name)), ("version", .string(String(version))),
                ("from_stage", .string(before.currentStage.rawValue)), ("to_stage", .string(target.rawValue)),
                ("archive_existing_versions", .bool(archiveExisting)),
            ]))
        return updated
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateTag(tag)
        try await store.setModelVersionTag(
            name: name, version: version, tag: tag, now: currentTimeMillis(), actor: actor)
        publish(
            .modelVersionTagSet,
            .object([
                ("name", .string(name)), ("version", .string(String(version))), ("key", .string(tag.key)),
                ("value", .string(tag.value)),
            ]))
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try await store.deleteModelVersionTag(
            name: name, version: version, key: key, now: currentTimeMillis(), actor: actor)
        publish(
            .modelVersionTagDeleted,
            .object([("name", .string(name)), ("version", .string(String(version))), ("key", .string(key))]))
    }

    public func searchModelVersions(_ search: ModelVersionSearch) async throws -> Page<ModelVersion> {
        try await store.searchModelVersions(search)
    }

    /// The URI a client downloads a version's files from.
    public func downloadURI(name: String, version: Int64) async throws -> String {
        try await modelVersion(name: name, version: version).downloadURI
    }

    // MARK: Aliases

    public func setAlias(name: String, alias: String, version: Int64, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateAliasToSet(alias)
        try await store.setAlias(name: name, alias: alias, version: version, now: currentTimeMillis(), actor: actor)
        publish(
            .aliasCreated,
            .object([("name", .string(name)), ("alias", .string(alias)), ("version", .string(String(version)))]))
    }

    public func deleteAlias(name: String, alias: String, actor: Actor) async throws {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateAliasCharacters(alias)
        try await store.deleteAlias(name: name, alias: alias, now: currentTimeMillis(), actor: actor)
        publish(.aliasDeleted, .object([("name", .string(name)), ("alias", .string(alias))]))
    }

    public func versionByAlias(name: String, alias: String) async throws -> ModelVersion {
        try RegistryValidation.validateModelName(name)
        try RegistryValidation.validateAliasCharacters(alias)
        if alias.lowercased() == "latest" { return try await resolve(name: name, reference: "latest") }
        guard let version = try await store.version(name: name, alias: alias) else {
            throw RegistryError.aliasNotFound(alias)
        }
        return version
    }

    // MARK: Audit

    public func history(name: String) async throws -> [AuditEvent] {
        guard !name.isEmpty else { throw KaizenError.missingParameter("name") }
        return try await store.auditEvents(name: name)
    }
}
