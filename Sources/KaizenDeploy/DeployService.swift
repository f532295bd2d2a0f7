import KaizenCore
public import KaizenRegistry

/// The endpoint operations the REST API and the CLI expose: validation against the registry, audit (through the
/// store) and `endpoint.updated` events.
public struct DeployService: Sendable {
    public let endpoints: any EndpointStore
    public let registry: any RegistryStore
    public let events: any RegistryEventSink

    public init(endpoints: any EndpointStore, registry: any RegistryStore, events: any RegistryEventSink) {
        self.endpoints = endpoints
        self.registry = registry
        self.events = events
    }

    /// Creates an endpoint for `model` with `traffic` (weights summing to 100) and optional `shadow` percentages.
    public func create(
        name: String, model: String, traffic: [VersionWeight], shadow: [VersionWeight] = [],
        followAlias: String? = nil, aliasRollout: AliasRollout? = nil, description: String = "", actor: Actor
    ) async throws -> Endpoint {
        try EndpointValidation.validateName(name)
        let now = currentTimeMillis()
        let endpoint = Endpoint(
            name: name, modelName: model, traffic: try EndpointValidation.traffic(traffic),
            shadow: try EndpointValidation.shadow(shadow, traffic: traffic), followAlias: followAlias,
            aliasRollout: aliasRollout, description: description, revision: 1, creationTimestamp: now,
            lastUpdatedTimestamp: now)
        try await validateAgainstRegistry(endpoint)
        try await endpoints.createEndpoint(endpoint, actor: actor)
        publish("created", endpoint)
        return endpoint
    }

    public func endpoint(named name: String) async throws -> Endpoint {
        guard let endpoint = try await endpoints.endpoint(named: name) else {
            throw KaizenError.notFound("Endpoint '\(name)' does not exist")
        }
        return endpoint
    }

    public func list() async throws -> [Endpoint] {
        try await endpoints.listEndpoints()
    }

    /// Changes the given fields; what is nil stays. `followAlias` of `.some(nil)` stops following.
    public func update(
        name: String, traffic: [VersionWeight]? = nil, shadow: [VersionWeight]? = nil,
        followAlias: String?? = nil, aliasRollout: AliasRollout?? = nil, description: String? = nil, actor: Actor
    ) async throws -> Endpoint {
        let current = try await endpoint(named: name)
        var next = current
        if let traffic { next.traffic = try EndpointValidation.traffic(traffic) }
        if let shadow { next.shadow = shadow }
        next.shadow = try EndpointValidation.shadow(next.shadow, traffic: next.traffic)
        if let followAlias { next.followAlias = followAlias }
        if let aliasRollout { next.aliasRollout = aliasRollout }
        if let description { next.description = description }
        guard next != current else { return current }
        next.revision = current.revision + 1
        next.lastUpdatedTimestamp = currentTimeMillis()
        try await validateAgainstRegistry(next)
        try await endpoints.updateEndpoint(next, expectedRevision: current.revision, actor: actor)
        publish("updated", next)
        return next
    }

    public func delete(name: String, actor: Actor) async throws {
        let current = try await endpoint(named: name)
        try await endpoints.deleteEndpoint(named: name, now: currentTimeMillis(), actor: actor)
        publish("deleted", current)
    }

    /// Keeps a replica's report of `endpoint`; `false` when the same report (replica id and sequence) was kept
    /// before.
    public func record(_ report: ReplicaReport) async throws -> Bool {
        _ = try await endpoint(named: report.endpoint)
        return try await endpoints.recordReport(report, receivedAt: currentTimeMillis())
    }

    /// Forgets the reports received more than `retention` milliseconds before `now`, except those a rollout in
    /// progress still judges by (every report since the oldest such rollout started is kept). Returns how many went.
    public func pruneReports(now: Int64, retention: Int64) async throws -> Int {
        var cutoff = now - retention
        for rollout in try await endpoints.activeRollouts() { cutoff = min(cutoff, rollout.createdAt) }
        return try await endpoints.deleteReports(receivedBefore: cutoff)
    }

    /// The model and every version with traffic exist; the alias followed, if any, is well formed.
    func validateAgainstRegistry(_ endpoint: Endpoint) async throws {
        guard try await registry.registeredModel(named: endpoint.modelName) != nil else {
            throw KaizenError.notFound("Registered Model with name=\(endpoint.modelName) not found")
        }
        for version in Set((endpoint.traffic + endpoint.shadow).map(\.version)).sorted() {
            guard try await registry.modelVersion(name: endpoint.modelName, version: version) != nil else {
                throw KaizenError.notFound(
                    "Model Version (name=\(endpoint.modelName), version=\(version)) not found")
            }
        }
        if let alias = endpoint.followAlias { try EndpointValidation.validateAlias(alias) }
    }

    func publish(_ change: String, _ endpoint: Endpoint) {
        guard case .object(var fields) = endpoint.json else { return }
        fields.insert(("change", .string(change)), at: 0)
        events.publish(RegistryEvent(type: .endpointUpdated, data: .object(fields), timestamp: currentTimeMillis()))
    }
}
