public import KaizenCore
public import KaizenRegistry

/// Where endpoints are kept. Every change is recorded in the registry's audit trail with its actor, in the same
/// transaction.
public protocol EndpointStore: Sendable {
    /// Adds `endpoint`; an error if the name is taken.
    func createEndpoint(_ endpoint: Endpoint, actor: Actor) async throws
    func endpoint(named name: String) async throws -> Endpoint?
    /// All endpoints, by name.
    func listEndpoints() async throws -> [Endpoint]
    /// Replaces the endpoint of that name if its stored revision is still `expectedRevision` (a concurrent change
    /// makes this an error rather than losing one of the two).
    func updateEndpoint(_ endpoint: Endpoint, expectedRevision: Int64, actor: Actor) async throws
    func deleteEndpoint(named name: String, now: Int64, actor: Actor) async throws
    /// Keeps a replica's report, once: a report with a replica id and sequence already kept is ignored (and
    /// `false` returned), so a retried report counts once.
    func recordReport(_ report: ReplicaReport, receivedAt: Int64) async throws -> Bool
    /// The reports of `endpoint` received at or after `since` (milliseconds), oldest first.
    func reports(endpoint: String, since: Int64) async throws -> [ReplicaReport]
    /// Forgets the reports of every endpoint received before `cutoff` (milliseconds); returns how many.
    func deleteReports(receivedBefore cutoff: Int64) async throws -> Int

    /// Adds a rollout; an error if its endpoint already has one that is not finished.
    func createRollout(_ rollout: Rollout, modelName: String, actor: Actor) async throws
    /// Saves a rollout's new state, audited as `action` when there is one (a phase or step change; an evaluation that
    /// changes nothing but figures is not audited). With `expectedUpdatedAt`, only if the stored state is still the
    /// one saved at that time: a `RESOURCE_CONFLICT` (409) when another replica saved it meanwhile.
    func updateRollout(
        _ rollout: Rollout, expectedUpdatedAt: Int64?, modelName: String, action: String?, actor: Actor
    ) async throws
    /// The rollouts of `endpoint`, newest first.
    func rollouts(endpoint: String) async throws -> [Rollout]
    /// Every rollout that is not finished, of all endpoints.
    func activeRollouts() async throws -> [Rollout]
}

extension EndpointStore {
    /// Saves a rollout's new state whatever was saved meanwhile.
    public func updateRollout(_ rollout: Rollout, modelName: String, action: String?, actor: Actor) async throws {
        try await updateRollout(rollout, expectedUpdatedAt: nil, modelName: modelName, action: action, actor: actor)
    }

    /// The error of a rollout save that found another state saved meanwhile.
    public static func rolloutConflict(_ id: String) -> KaizenError {
        KaizenError(.custom("RESOURCE_CONFLICT", 409), "Rollout '\(id)' changed meanwhile; read it again and retry")
    }
}
