import Foundation
import KaizenCore
import KaizenDeploy
import KaizenRegistry
import Testing

/// A rollout's saved phase never runs ahead of its endpoint: whoever reads `rolled_back` or `promoted` finds the
/// endpoint's traffic already on one version, so the next rollout can start at once (as a client starting rollouts
/// one after another through several replicas does).
struct RolloutOrderingTests {
    /// Passes every call to a real store, and records the endpoint's traffic as it stands when a rollout's finished
    /// phase is saved.
    final class Watching: EndpointStore, @unchecked Sendable {
        let inner: any EndpointStore
        private let lock = NSLock()
        private var seen: [(phase: String, traffic: [VersionWeight])] = []

        init(_ inner: any EndpointStore) { self.inner = inner }

        private var interleaved: (@Sendable () async throws -> Void)?

        var trafficAtFinish: [(phase: String, traffic: [VersionWeight])] { lock.withLock { seen } }

        /// Runs `change` once, just before the next rollout save reaches the store: another replica's change landing
        /// between a read and a save.
        func interleave(_ change: @escaping @Sendable () async throws -> Void) {
            lock.withLock { interleaved = change }
        }

        func updateRollout(
            _ rollout: Rollout, expectedUpdatedAt: Int64?, modelName: String, action: String?, actor: Actor
        ) async throws {
            let change = lock.withLock {
                defer { interleaved = nil }
                return interleaved
            }
            try await change?()
            if rollout.phase.isTerminal, let endpoint = try await inner.endpoint(named: rollout.endpoint) {
                lock.withLock { seen.append((rollout.phase.name, endpoint.traffic)) }
            }
            try await inner.updateRollout(
                rollout, expectedUpdatedAt: expectedUpdatedAt, modelName: modelName, action: action, actor: actor)
        }

        func createEndpoint(_ endpoint: Endpoint, actor: Actor) async throws {
            try await inner.createEndpoint(endpoint, actor: actor)
        }
        func endpoint(named name: String) async throws -> Endpoint? { try await inner.endpoint(named: name) }
        func listEndpoints() async throws -> [Endpoint] { try await inner.listEndpoints() }
        func updateEndpoint(_ endpoint: Endpoint, expectedRevision: Int64, actor: Actor) async throws {
            try await inner.updateEndpoint(endpoint, expectedRevision: expectedRevision, actor: actor)
        }
        func deleteEndpoint(named name: String, now: Int64, actor: Actor) async throws {
            try await inner.deleteEndpoint(named: name, now: now, actor: actor)
        }
        func recordReport(_ report: ReplicaReport, receivedAt: Int64) async throws -> Bool {
            try await inner.recordReport(report, receivedAt: receivedAt)
        }
        func reports(endpoint: String, since: Int64) async throws -> [ReplicaReport] {
            try await inner.reports(endpoint: endpoint, since: since)
        }
        func deleteReports(receivedBefore cutoff: Int64) async throws -> Int {
            try await inner.deleteReports(receivedBefore: cutoff)
        }
        func createRollout(_ rollout: Rollout, modelName: String, actor: Actor) async throws {
            try await inner.createRollout(rollout, modelName: modelName, actor: actor)
        }
        func rollouts(endpoint: String) async throws -> [Rollout] { try await inner.rollouts(endpoint: endpoint) }
        func activeRollouts() async throws -> [Rollout] { try await inner.activeRollouts() }
    }

    struct PassingChecks: ContractChecker {
        func check(
            model: String, stable: Int64, candidate: Int64, endpoint: String, since: Int64,
            thresholds: AnalysisThresholds
        ) async throws -> [ContractCheckResult]? {
            [ContractCheckResult(name: "signature", passed: true)]
        }
    }

    /// Model `m` with versions 1 to 3, endpoint `e` on version 1, behind a watching store.
    func makeDeploy(_ stores: StoreFixture) async throws -> (DeployService, Watching) {
        let watching = Watching(stores.endpoints)
        return (try await EndpointStoreConformanceTests.makeDeploy(stores, endpoints: watching, versions: 3), watching)
    }

    /// Starts a canary of `version` and passes its contract checks: the candidate has its first step's traffic.
    func startInStep(_ deploy: DeployService, version: Int64) async throws {
        let rollout = try await deploy.startRollout(
            endpoint: "e", version: version, strategy: .canary(steps: [10, 50]), settings: RolloutSettings(),
            actor: .anonymous)
        let stepping = try await deploy.advance(rollout, checks: PassingChecks())
        #expect(stepping.phase.name == "step")
        #expect(try await deploy.endpoint(named: "e").traffic.count == 2)
    }

    /// A replica's report where candidate version 2 fails half its requests and version 1 none.
    func reportFailingCandidate(_ deploy: DeployService) async throws {
        let now = currentTimeMillis()
        _ = try await deploy.record(
            ReplicaReport(
                replicaID: "r1", endpoint: "e", sequence: 1, windowStart: now, windowEnd: now + 1,
                versions: [1: VersionStats(requests: 400), 2: VersionStats(requests: 400, serverErrors: 200)]))
    }

    @Test(arguments: StoreBackend.all)
    func theEndpointIsOnOneVersionBeforeAFinishedPhaseIsSaved(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let (deploy, watching) = try await makeDeploy(stores)
            // The controller rolls back a candidate that fails half its requests.
            try await startInStep(deploy, version: 2)
            try await reportFailingCandidate(deploy)
            let failed = try await deploy.advance(try await deploy.rollout(endpoint: "e"), checks: PassingChecks())
            #expect(failed.phase.name == "rolled_back")
            // The next rollouts start straight away from the stable version: one aborted, one promoted.
            try await startInStep(deploy, version: 3)
            #expect(try await deploy.command(.abort, endpoint: "e", actor: .anonymous).phase.name == "aborted")
            try await startInStep(deploy, version: 3)
            #expect(try await deploy.command(.promote, endpoint: "e", actor: .anonymous).phase.name == "promoted")
            let seen = watching.trafficAtFinish
            #expect(seen.map(\.phase) == ["rolled_back", "aborted", "promoted"])
            let serving = seen.map { $0.traffic.filter { $0.weight > 0 }.map(\.version) }
            #expect(serving == [[1], [1], [3]])
        }
    }

    /// The controller decides a rollback while a user promotes on another replica; the user's promotion is saved
    /// first. The controller's save is refused (not saved over the promotion), and the endpoint, which it had moved
    /// back to the stable version, is put back on the promoted candidate.
    @Test(arguments: StoreBackend.all)
    func aSaveThatLostARaceLeavesTheWinnersPhaseAndTraffic(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let (deploy, watching) = try await makeDeploy(stores)
            try await startInStep(deploy, version: 2)
            try await reportFailingCandidate(deploy)
            let read = try await deploy.rollout(endpoint: "e")
            watching.interleave {
                let promoted = try await deploy.command(.promote, endpoint: "e", actor: .anonymous)
                #expect(promoted.phase.name == "promoted")
            }
            await #expect(throws: KaizenError.self) {
                _ = try await deploy.advance(read, checks: PassingChecks())
            }
            #expect(try await deploy.rollout(endpoint: "e").phase.name == "promoted")
            #expect(
                try await deploy.endpoint(named: "e").traffic.filter { $0.weight > 0 } == [
                    VersionWeight(version: 2, weight: 100)
                ])
            // The store saw the promotion, then the controller's refused rollback.
            #expect(watching.trafficAtFinish.map(\.phase) == ["promoted", "rolled_back"])
        }
    }

    /// Endpoint `e` follows alias `champion`, which moves to version 2: the rollout it starts passes its contract
    /// checks, and in its first step the candidate fails half its requests.
    func followChampionToAFailingStep(_ deploy: DeployService, _ stores: StoreFixture) async throws {
        _ = try await deploy.update(name: "e", followAlias: .some("champion"), actor: .anonymous)
        try await stores.registryService.setAlias(name: "m", alias: "champion", version: 2, actor: .anonymous)
        #expect(try await deploy.followAliases().map(\.candidateVersion) == [2])
        let checking = try await deploy.rollout(endpoint: "e")
        #expect(try await deploy.advance(checking, checks: PassingChecks()).phase.name == "step")
        try await reportFailingCandidate(deploy)
    }

    /// The same race on an endpoint that follows alias `champion`: the refused rollback had moved the alias back to
    /// the stable version; it points at the promoted candidate again.
    @Test(arguments: StoreBackend.all)
    func aRefusedRollbackPutsAFollowedAliasBack(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let (deploy, watching) = try await makeDeploy(stores)
            try await followChampionToAFailingStep(deploy, stores)
            let read = try await deploy.rollout(endpoint: "e")
            watching.interleave {
                _ = try await deploy.command(.promote, endpoint: "e", actor: .anonymous)
            }
            await #expect(throws: KaizenError.self) {
                _ = try await deploy.advance(read, checks: PassingChecks())
            }
            #expect(try await deploy.rollout(endpoint: "e").phase.name == "promoted")
            #expect(try await stores.registry.version(name: "m", alias: "champion")?.version == 2)
            #expect(try await deploy.followAliases().isEmpty)
        }
    }

    /// A rollback that is saved keeps the alias on the stable version.
    @Test(arguments: StoreBackend.all)
    func aSavedRollbackLeavesAFollowedAliasOnTheStableVersion(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let (deploy, _) = try await makeDeploy(stores)
            try await followChampionToAFailingStep(deploy, stores)
            let failed = try await deploy.advance(try await deploy.rollout(endpoint: "e"), checks: PassingChecks())
            #expect(failed.phase.name == "rolled_back")
            #expect(try await stores.registry.version(name: "m", alias: "champion")?.version == 1)
        }
    }
}
