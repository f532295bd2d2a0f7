import Foundation
import KaizenCore
import KaizenDeploy
import KaizenRegistry
import KaizenStorage
import KaizenTracking
import Testing

/// Replica reports on a real SQLite file: kept once, read back by time, and forgotten once old, except while a
/// rollout in progress still judges by them.
struct SQLiteEndpointStoreTests {
    struct Sink: RegistryEventSink {
        func publish(_ event: RegistryEvent) {}
    }

    /// A deploy service over a fresh database with model `m` (versions 1 and 2) and endpoint `e` on version 1.
    func makeDeploy() async throws -> DeployService {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-ep-\(UUID().uuidString).db")
            .path
        let pool = try SQLiteDatabase.open(path)
        let tracking = TrackingService(
            store: SQLiteTrackingStore(pool: pool), defaultArtifactRoot: "mlflow-artifacts:/", workingDirectory: "/srv")
        try await tracking.bootstrap()
        let registryStore = SQLiteRegistryStore(pool: pool)
        let registry = RegistryService(store: registryStore, tracking: tracking, events: Sink())
        _ = try await registry.createRegisteredModel(name: "m", description: nil, tags: [], actor: .anonymous)
        for _ in 1...2 {
            _ = try await registry.createModelVersion(
                name: "m", source: "s3://bucket/m", runID: nil, modelID: nil, runLink: nil, description: nil, tags: [],
                actor: .anonymous)
        }
        let deploy = DeployService(endpoints: SQLiteEndpointStore(pool: pool), registry: registryStore, events: Sink())
        _ = try await deploy.create(
            name: "e", model: "m", traffic: [VersionWeight(version: 1, weight: 100)], actor: .anonymous)
        return deploy
    }

    func report(_ sequence: UInt64, requests: UInt64 = 10) -> ReplicaReport {
        ReplicaReport(
            replicaID: "r1", endpoint: "e", sequence: sequence, windowStart: 0, windowEnd: 1,
            versions: [1: VersionStats(requests: requests)])
    }

    @Test func reportsAreKeptOnceAndReadBackByTime() async throws {
        let store = try await makeDeploy().endpoints
        #expect(try await store.recordReport(report(1), receivedAt: 1000))
        #expect(try await store.recordReport(report(2), receivedAt: 3000))
        // A retried report (same replica and sequence) is ignored, whatever it now says.
        #expect(try await !store.recordReport(report(1, requests: 99), receivedAt: 4000))
        #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [1, 2])
        #expect(try await store.reports(endpoint: "e", since: 0).first?.versions[1]?.requests == 10)
        #expect(try await store.reports(endpoint: "e", since: 2000).map(\.sequence) == [2])
        #expect(try await store.reports(endpoint: "other", since: 0).isEmpty)
    }

    @Test func oldReportsGoUnlessARolloutInProgressNeedsThem() async throws {
        let deploy = try await makeDeploy()
        let store = deploy.endpoints
        for (sequence, received) in [(1, 1000), (2, 5000), (3, 9000)] as [(UInt64, Int64)] {
            _ = try await store.recordReport(report(sequence), receivedAt: received)
        }
        var rollout = try Rollout.start(
            id: "r", endpoint: "e", stableVersion: 1, candidateVersion: 2, strategy: .blueGreen, now: 4000
        ).rollout
        try await store.createRollout(rollout, modelName: "m", actor: .anonymous)
        // Retention would drop everything before 8000; the rollout started at 4000 keeps the reports since then.
        #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 1)
        #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [2, 3])

        _ = rollout.handle(.abort, now: 9500)
        try await store.updateRollout(rollout, modelName: "m", action: "abort_rollout", actor: .anonymous)
        #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 1)
        #expect(try await store.reports(endpoint: "e", since: 0).map(\.sequence) == [3])
        #expect(try await deploy.pruneReports(now: 10_000, retention: 2000) == 0)
    }
}
