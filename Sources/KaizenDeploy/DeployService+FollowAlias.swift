import KaizenCore
import KaizenRegistry

/// Endpoints that follow an alias: moving the alias starts a rollout rather than an instant swap, and a rollout
/// that fails moves the alias back. Driven by the rollout controller's passes (not by the registry's events), so an
/// alias moved while the control plane was down is still noticed.
extension DeployService {
    /// Starts a rollout (the endpoint's `aliasRollout`, else a default canary) on every following endpoint whose
    /// alias names a version other than the one it serves, unless a rollout is in progress, or the last rollout was
    /// to that version and the alias has not been set since it ended (an aborted rollout is not restarted; pointing
    /// the alias at a version again after its rollout failed is a retry). Returns the rollouts started.
    public func followAliases() async throws -> [Rollout] {
        var started: [Rollout] = []
        for endpoint in try await list() {
            guard let alias = endpoint.followAlias,
                let aliased = try await registry.version(name: endpoint.modelName, alias: alias),
                let stable = endpoint.traffic.max(by: { $0.weight < $1.weight })?.version,
                aliased.version != stable
            else { continue }
            let rollouts = try await endpoints.rollouts(endpoint: endpoint.name)
            if rollouts.contains(where: { !$0.phase.isTerminal }) { continue }
            if let last = rollouts.first, last.candidateVersion == aliased.version,
                try await !aliasSet(endpoint.modelName, alias, to: aliased.version, after: last.updatedAt)
            {
                continue
            }
            let plan = endpoint.aliasRollout ?? AliasRollout()
            started.append(
                try await startRollout(
                    endpoint: endpoint.name, version: aliased.version, strategy: plan.strategy,
                    settings: plan.settings, actor: Self.controller))
        }
        return started
    }

    /// Whether the newest setting of `alias` in the registry's audit trail points it at `version` after `time`.
    func aliasSet(_ model: String, _ alias: String, to version: Int64, after time: Int64) async throws -> Bool {
        let newest = try await registry.auditEvents(name: model).last { event in
            event.action == "set_registered_model_alias" && event.after?["alias"]?.stringValue == alias
        }
        guard let newest else { return false }
        return newest.version == version && newest.timestamp > time
    }

    /// After a rollout to a followed alias's version fails, the alias goes back to the stable version (audited as
    /// the controller's change, announced as an alias event). Returns whether it moved.
    func restoreAlias(after rollout: Rollout) async throws -> Bool {
        try await moveAlias(of: rollout.endpoint, from: rollout.candidateVersion, to: rollout.stableVersion)
    }

    /// Undoes `restoreAlias` for a rollback that was not saved because another change to the rollout was.
    func reinstateAlias(after rollout: Rollout) async throws {
        _ = try await moveAlias(of: rollout.endpoint, from: rollout.stableVersion, to: rollout.candidateVersion)
    }

    /// Points the alias `endpointName` follows at `version` if it points at `from`.
    func moveAlias(of endpointName: String, from: Int64, to version: Int64) async throws -> Bool {
        let endpoint = try await endpoint(named: endpointName)
        guard let alias = endpoint.followAlias,
            let aliased = try await registry.version(name: endpoint.modelName, alias: alias),
            aliased.version == from
        else { return false }
        try await registry.setAlias(
            name: endpoint.modelName, alias: alias, version: version, now: currentTimeMillis(),
            actor: Self.controller)
        events.publish(
            RegistryEvent(
                type: .aliasCreated,
                data: .object([
                    ("name", .string(endpoint.modelName)), ("alias", .string(alias)),
                    ("version", .string(String(version))),
                ]), timestamp: currentTimeMillis()))
        return true
    }
}
