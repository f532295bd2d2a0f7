import Foundation
import KaizenArtifacts
import KaizenPostgres
import KaizenServer
import KaizenStorage

/// The composition root of `kaizen server`: the only place that knows which store implementations exist. A new
/// backend is a store module and a case here.
extension ServerStores {
    /// Opens the stores named by MLflow's server options: `--backend-store-uri` (a SQLite path or `sqlite:///` URI,
    /// or a `postgresql://` URI) and `--artifacts-destination` (a local folder). `close` lets go of the database's
    /// connections once the server has stopped.
    static func open(
        backendStoreURI: String, artifactsDestination: String, environment: [String: String]
    ) async throws -> (stores: ServerStores, close: @Sendable () async -> Void) {
        let artifacts = try LocalArtifactStore(root: artifactsDestination)
        if PostgresLocation.isPostgres(backendStoreURI) {
            let backend = try await PostgresBackend.open(
                uri: backendStoreURI, maximumConnections: postgresPoolSize(environment))
            let stores = ServerStores(
                tracking: backend.tracking, registry: backend.registry, webhooks: backend.webhooks,
                artifacts: artifacts, endpoints: backend.endpoints, monitoring: backend.monitoring,
                leases: backend.leases)
            return (stores, { await backend.database.close() })
        }
        let database = try SQLiteBackend(location: backendStoreURI)
        let stores = ServerStores(
            tracking: database.tracking, registry: database.registry, webhooks: database.webhooks,
            artifacts: artifacts, endpoints: database.endpoints, monitoring: database.monitoring,
            leases: database.leases)
        return (stores, {})
    }

    /// How many connections one replica opens at most: MLflow's `MLFLOW_SQLALCHEMYSTORE_POOL_SIZE` plus
    /// `MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW` when either is set (defaults 5 and 10, as in MLflow), else 16.
    static func postgresPoolSize(_ environment: [String: String]) -> Int {
        let size = environment["MLFLOW_SQLALCHEMYSTORE_POOL_SIZE"].flatMap { Int($0) }
        let overflow = environment["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"].flatMap { Int($0) }
        guard size != nil || overflow != nil else { return 16 }
        return max(1, min(1000, (size ?? 5) + (overflow ?? 10)))
    }
}
