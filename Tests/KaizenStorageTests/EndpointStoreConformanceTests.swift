import Foundation
import KaizenCore
import KaizenDeploy
import KaizenRegistry
import Testing

/// The endpoint store's behaviour, the same on every backend: endpoints with optimistic revisions, replica reports
/// kept once and forgotten once old (except while a rollout in progress still judges by them), and rollouts, at
/// most one unfinished per endpoint.
struct EndpointStoreConformanceTests {
    /// A deploy service over `endpoints` (the fixture's by default) with model `m` (versions 1 to `versions`) and
    /// endpoint `e` on version 1.
    static func makeDeploy(
        _ stores: StoreFixture, endpoints: (any EndpointStore)? = nil, versions: Int = 2
    ) async throws -> DeployService {
        let registry = stores.registryService
        _ = try await registry.createRegisteredModel(name: "m", description: nil, tags: [], actor: .anonymous)
        for _ in 1...versions {
            _ = try await registry.createModelVersion(
                name: "m", source: "s3://bucket/m", runID: nil, modelID: nil, runLink: nil, description: nil, tags: [],
                actor: .anonymous)
        }
        let deploy = DeployService(
            endpoints: endpoints ?? stores.endpoints, registry: stores.registry, events: StoreFixture.Sink())
        _ = try await deploy.create(
            name: "e", model: "m", traffic: [VersionWeight(version: 1, weight: 100)], actor: .anonymous)
        return deploy
    }

    func report(_ sequence: UInt64, requests: UInt64 = 10, replica: String = "r1") -> ReplicaReport {
        ReplicaReport(
            replicaID: replica, endpoint: "e", sequence: sequence, windowStart: 0, windowEnd: 1,
            versions: [1: VersionStats(requests: requests)])
    }

    func makeRollout(_ id: String, endpoint: String = "e", now: Int64) throws -> Rollout {
        try Rollout.start(
            id: id, endpoint: endpoint, stableVersion: 1, candidateVersion: 2, strategy: .blueGreen, now: now
        ).rollout
    }

    @Test(arguments: StoreBackend.all)
    func endpointsChangeOnlyFromTheRevisionRead(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            _ = try await Self.makeDeploy(stores)
            let store = stores.endpoints
            let original = try #require(try await store.endpoint(named: "e"))
            #expect(original.traffic == [VersionWeight(version: 1, weight: 100)])
            #expect(original.revision == 1)
            #expect(
                await errorCode { try await store.createEndpoint(original, actor: .anonymous) }
                    == "RESOURCE_ALREADY_EXISTS")
            var second = Endpoint(
                name: "d", modelName: "m", traffic: [VersionWeight(version: 2, weight: 100)],
                shadow: [VersionWeight(version: 1, weight: 5)], followAlias: "champion", description: "shadowed",
                creationTimestamp: 10, lastUpdatedTimestamp: 10)
            try await store.createEndpoint(second, actor: Actor("ann"))
            #expect(try await store.endpoint(named: "d") == second)
            #expect(try await store.listEndpoints().map(\.name) == ["d", "e"])

            var changed = original
            changed.traffic = [VersionWeight(version: 1, weight: 50), VersionWeight(version: 2, weight: 50)]
            changed.revision = 2
            changed.lastUpdatedTimestamp = 20
            try await store.updateEndpoint(changed, expectedRevision: 1, actor: Actor("bob"))
            #expect(try await store.endpoint(named: "e") == changed)
            // A writer that read revision 1 loses to the one that already moved it on.
            var stale = original
            stale.description = "late"
            stale.revision = 2
            #expect(
                await errorCode { try await store.updateEndpoint(stale, expectedRevision: 1, actor: .anonymous) }
                    == "RESOURCE_CONFLICT")
            #expect(try await store.endpoint(named: "e") == changed)
            second.name = "missing"
            #expect(
                await errorCode { try await store.updateEndpoint(second, expectedRevision: 1, actor: .anonymous) }
                    == "RESOURCE_DOES_NOT_EXIST")

            try await store.deleteEndpoint(named: "d", now: 30, actor: Actor("carol"))
            #expect(try await store.endpoint(named: "d") == nil)
            #expect(
                await errorCode { try await store.deleteEndpoint(named: "d", now: 31, actor: .anonymous) }
                    == "RESOURCE_DOES_NOT_EXIST")
            let trail = try await stores.registry.auditEvents(name: "m").filter { $0.action.hasSuffix("endpoint") }
            #expect(
                trail.map(\.action) == ["create_endpoint", "create_endpoint", "update_endpoint", "delete_endpoint"])
            #expect(trail.map(\.actor) == ["anonymous", "ann", "bob", "carol"])
            #expect(trail[2].before?["revision"] == .integer(1))
            #expect(trail[2].after?["revision"] == .integer(2))
        }
    }

    @Test(arguments: StoreBackend.all)
    func concurrentUpdatesFromOneRevisionLetOneThrough(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            _ = try await Self.makeDeploy(stores)
            let store = stores.endpoints
            let original = try #require(try await store.endpoint(named: "e"))
            let codes = await withTaskGroup(of: String?.self) { group in
                for index in 0..<8 {
                    let next = {
                        var next = original
                        next.description = "writer \(index)"
                        next.revision = 2
                        return next
                    }()
                    group.addTask {
                        await errorCode { try await store.updateEndpoint(next, expectedRevision: 1, actor: .anonymous) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == nil }.count == 1)
            #expect(codes.filter { $0 == "RESOURCE_CONFLICT" }.count == 7)
            #expect(try await store.endpoint(named: "e")?.revision == 2)
        }
    }

    @Test(arguments: StoreBackend.all)
    func reportsAreKeptOnceAndReadBackByTime(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = try await Self.makeDeploy(stores).endpoints
            #expect(try await store.recordReport(report(1), receivedAt: 1000))
            #expect(try await store.recordReport(report(2), receivedAt: 3000))
            #expect(try await store.recordReport(report(1, replica: "r2"), receivedAt: 3000))
            // A retried report (same replica and sequence) is ignored, whatever it now says.
            #expect(try await !store.recordReport(report(1, requests: 99), receivedAt: 4000))
            #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [1, 2, 1])
            #expect(try await store.reports(endpoint: "e", since: 0).map(\.replicaID) == ["r1", "r1", "r2"])
            #expect(try await store.reports(endpoint: "e", since: 0).first?.versions[1]?.requests == 10)
            #expect(try await store.reports(endpoint: "e", since: 2000).map(\.sequence) == [2, 1])
            #expect(try await store.reports(endpoint: "other", since: 0).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.all)
    func aReportSentByManyAtOnceIsKeptOnce(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = try await Self.makeDeploy(stores).endpoints
            let kept = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.recordReport(report(7), receivedAt: 1000) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(kept.filter { $0 }.count == 1)
            #expect(try await store.reports(endpoint: "e", since: 0).count == 1)
        }
    }

    @Test(arguments: StoreBackend.all)
    func oldReportsGoUnlessARolloutInProgressNeedsThem(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let deploy = try await Self.makeDeploy(stores)
            let store = deploy.endpoints
            for (sequence, received) in [(1, 1000), (2, 5000), (3, 9000)] as [(UInt64, Int64)] {
                _ = try await store.recordReport(report(sequence), receivedAt: received)
            }
            var rollout = try makeRollout("r", now: 4000)
            try await store.createRollout(rollout, modelName: "m", actor: .anonymous)
            // Retention would drop everything before 8000; the rollout started at 4000 keeps the reports since then.
            #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 1)
            #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [2, 3])

            _ = rollout.handle(.abort, now: 9500)
            try await store.updateRollout(rollout, modelName: "m", action: "abort_rollout", actor: .anonymous)
            #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 1)
            #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [3])
            #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 0)
            #expect(try await store.deleteReports(receivedBefore: 10_000) == 1)
        }
    }

    @Test(arguments: StoreBackend.all)
    func anEndpointHasAtMostOneUnfinishedRollout(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let deploy = try await Self.makeDeploy(stores)
            _ = try await deploy.create(
                name: "f", model: "m", traffic: [VersionWeight(version: 1, weight: 100)], actor: .anonymous)
            let store = deploy.endpoints
            var first = try makeRollout("r1", now: 100)
            try await store.createRollout(first, modelName: "m", actor: Actor("ann"))
            #expect(
                await errorCode {
                    try await store.createRollout(try makeRollout("r2", now: 200), modelName: "m", actor: .anonymous)
                }
                    == "INVALID_STATE")
            let other = try makeRollout("f1", endpoint: "f", now: 150)
            try await store.createRollout(other, modelName: "m", actor: .anonymous)
            #expect(try await store.activeRollouts().map(\.id) == ["r1", "f1"])

            _ = first.handle(.abort, now: 300)
            #expect(first.phase.isTerminal)
            try await store.updateRollout(first, modelName: "m", action: "abort_rollout", actor: Actor("bob"))
            // An evaluation that changes nothing but figures is saved without an audit record.
            try await store.updateRollout(other, modelName: "m", action: nil, actor: .anonymous)
            #expect(try await store.activeRollouts().map(\.id) == ["f1"])
            let second = try makeRollout("r2", now: 400)
            try await store.createRollout(second, modelName: "m", actor: .anonymous)
            #expect(try await store.rollouts(endpoint: "e").map(\.id) == ["r2", "r1"])
            #expect(try await store.rollouts(endpoint: "e").last?.phase.isTerminal == true)
            #expect(try await store.rollouts(endpoint: "none").isEmpty)
            #expect(
                await errorCode {
                    try await store.updateRollout(
                        try makeRollout("ghost", now: 1), modelName: "m", action: nil, actor: .anonymous)
                } == "RESOURCE_DOES_NOT_EXIST")
            let trail = try await stores.registry.auditEvents(name: "m").filter {
                $0.action.contains("rollout")
            }
            #expect(trail.map(\.action) == ["start_rollout", "start_rollout", "abort_rollout", "start_rollout"])
            #expect(trail[2].after?["phase"] == .string(first.phase.name))

            // Replicas starting rollouts of one endpoint at once: the database lets one through.
            let codes = await withTaskGroup(of: String?.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        await errorCode {
                            try await store.createRollout(
                                try makeRollout("race\(index)", endpoint: "f", now: 500), modelName: "m",
                                actor: .anonymous)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == "INVALID_STATE" })
            var finished = other
            _ = finished.handle(.abort, now: 600)
            try await store.updateRollout(finished, modelName: "m", action: "abort_rollout", actor: .anonymous)
            let raced = await withTaskGroup(of: String?.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        await errorCode {
                            try await store.createRollout(
                                try makeRollout("again\(index)", endpoint: "f", now: 700), modelName: "m",
                                actor: .anonymous)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(raced.filter { $0 == nil }.count == 1)
            #expect(raced.filter { $0 == "INVALID_STATE" }.count == 5)
        }
    }
}
