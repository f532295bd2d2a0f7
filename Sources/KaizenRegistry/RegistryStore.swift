public import KaizenCore

/// Persistence of the model registry. Every change is recorded in the audit trail in the same
/// transaction as the change itself, so the trail cannot miss a committed change.
public protocol RegistryStore: Sendable {
    func createRegisteredModel(
        name: String, description: String, tags: [Tag], now: Int64, actor: Actor
    ) async throws
        -> RegisteredModel
    func registeredModel(named name: String) async throws -> RegisteredModel?
    func renameRegisteredModel(
        name: String, to newName: String, now: Int64, actor: Actor
    ) async throws -> RegisteredModel
    func updateRegisteredModel(
        name: String, description: String, now: Int64, actor: Actor
    ) async throws -> RegisteredModel
    func deleteRegisteredModel(name: String, now: Int64, actor: Actor) async throws
    func setRegisteredModelTag(name: String, tag: Tag, now: Int64, actor: Actor) async throws
    func deleteRegisteredModelTag(name: String, key: String, now: Int64, actor: Actor) async throws
    func searchRegisteredModels(_ search: RegisteredModelSearch) async throws -> Page<RegisteredModel>
    /// The newest live version in each of `stages`, with aliases; `RESOURCE_DOES_NOT_EXIST` for an unknown model.
    func latestVersions(name: String, stages: [ModelStage]) async throws -> [ModelVersion]

    func createModelVersion(_ draft: ModelVersionDraft, now: Int64, actor: Actor) async throws -> ModelVersion
    func modelVersion(name: String, version: Int64) async throws -> ModelVersion?
    func updateModelVersion(
        name: String, version: Int64, description: String?, now: Int64, actor: Actor
    ) async throws
        -> ModelVersion
    func deleteModelVersion(name: String, version: Int64, now: Int64, actor: Actor) async throws
    /// Moves a version to `stage`; with `archiveExisting`, other versions in that stage become Archived.
    func transitionStage(
        name: String, version: Int64, to stage: ModelStage, archiveExisting: Bool, now: Int64, actor: Actor
    ) async throws -> ModelVersion
    func setModelVersionTag(name: String, version: Int64, tag: Tag, now: Int64, actor: Actor) async throws
    func deleteModelVersionTag(name: String, version: Int64, key: String, now: Int64, actor: Actor) async throws
    func searchModelVersions(_ search: ModelVersionSearch) async throws -> Page<ModelVersion>

    func setAlias(name: String, alias: String, version: Int64, now: Int64, actor: Actor) async throws
    func deleteAlias(name: String, alias: String, now: Int64, actor: Actor) async throws
    /// The version an alias points at, nil when the alias is not set; `RESOURCE_DOES_NOT_EXIST` for an unknown model.
    func version(name: String, alias: String) async throws -> ModelVersion?

    /// The audit trail of one model name, oldest first, including models since deleted.
    func auditEvents(name: String) async throws -> [AuditEvent]
}
