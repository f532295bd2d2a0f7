import Foundation
import KaizenArtifacts
import KaizenCore
import KaizenPostgres
import KaizenS3
import KaizenServer
import KaizenStorage

/// The composition root of `kaizen server`: the only place that knows which store implementations exist. A new
/// backend is a store module and a case here.
extension ServerStores {
    /// Opens the stores named by MLflow's server options: `--backend-store-uri` (a SQLite path or `sqlite:///` URI,
    /// or a `postgresql://` URI) and `--artifacts-destination` (a local folder, or `s3://bucket/prefix`). `close`
    /// lets go of the database's connections once the server has stopped.
    static func open(
        backendStoreURI: String, artifactsDestination: String, environment: [String: String]
    ) async throws -> (stores: ServerStores, close: @Sendable () async -> Void) {
        let artifacts = try openArtifacts(artifactsDestination, environment: environment)
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

    /// The artifact store at `destination`: `s3://bucket/prefix` through the S3 API (endpoint and credentials from
    /// `MLFLOW_S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...), anything else a local folder.
    static func openArtifacts(_ destination: String, environment: [String: String]) throws -> any ArtifactStore {
        guard destination.lowercased().hasPrefix("s3://") else { return try LocalArtifactStore(root: destination) }
        guard let location = S3Location(uri: destination) else {
            throw KaizenError.invalidParameter("Invalid S3 artifacts destination '\(destination)'")
        }
        let configuration = try S3Configuration(environment: environment)
        return S3ArtifactStore(client: S3Client(configuration: configuration), location: location)
    }
}
