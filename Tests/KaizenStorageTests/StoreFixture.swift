import Foundation
import KaizenCore
import KaizenDeploy
import KaizenMonitoring
import KaizenPostgres
import KaizenRegistry
import KaizenStorage
import KaizenTracking

/// The tracking, registry, webhook, endpoint and monitoring stores of one backend over a fresh database, for the conformance
/// suites; `with` closes (and on PostgreSQL drops) the database however the test ends.
struct StoreFixture: Sendable {
    struct Sink: RegistryEventSink {
        func publish(_ event: RegistryEvent) {}
    }

    let backend: StoreBackend
    let registry: any RegistryStore
    let webhooks: any WebhookStore
    let endpoints: any EndpointStore
    let monitoring: any MonitorStore
    let leases: any LeaseStore
    /// Tracking on the same database, as a server has it.
    let tracking: TrackingService
    let postgres: PostgresDatabase?

    /// A registry service over the fixture's stores.
    var registryService: RegistryService {
        RegistryService(store: registry, tracking: tracking, events: Sink())
    }

    static func temporaryPath(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString).db").path
    }

    static func open(_ backend: StoreBackend) async throws -> StoreFixture {
        switch backend {
        case .sqlite:
            let stores = try SQLiteBackend(location: temporaryPath("kaizen-conf"))
            return try await StoreFixture(
                backend: backend, registry: stores.registry, webhooks: stores.webhooks, endpoints: stores.endpoints,
                monitoring: stores.monitoring, leases: stores.leases, tracking: trackingService(stores.tracking),
                postgres: nil)
        case .postgres:
            let stores = PostgresBackend(database: try await TestPostgres.open())
            return try await StoreFixture(
                backend: backend, registry: stores.registry, webhooks: stores.webhooks, endpoints: stores.endpoints,
                monitoring: stores.monitoring, leases: stores.leases, tracking: trackingService(stores.tracking),
                postgres: stores.database)
        }
    }

    /// A tracking service on `store`, with its default experiment.
    static func trackingService(_ store: any TrackingStore) async throws -> TrackingService {
        let tracking = TrackingService(
            store: store, defaultArtifactRoot: "mlflow-artifacts:/", workingDirectory: "/srv")
        try await tracking.bootstrap()
        return tracking
    }

    /// Runs `body` on a fresh fixture of `backend` and closes it after, whether `body` throws or not.
    static func with<Result>(
        _ backend: StoreBackend, _ body: (StoreFixture) async throws -> Result
    ) async throws -> Result {
        let fixture = try await open(backend)
        do {
            let result = try await body(fixture)
            await fixture.close()
            return result
        } catch {
            await fixture.close()
            throw error
        }
    }

    func close() async {
        if let postgres { await TestPostgres.drop(postgres) }
    }
}

/// The error code `body` throws with, nil when it succeeds or throws something other than a `KaizenError`.
func errorCode(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let error as KaizenError {
        return error.code.name
    } catch {
        return "unexpected: \(error)"
    }
}
