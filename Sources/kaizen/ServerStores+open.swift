import Foundation
import KaizenArtifacts
import KaizenCore
import KaizenS3
import KaizenServer
import KaizenStorage

/// The composition root of `kaizen server`: the only place that knows which store implementations exist. A new
/// backend is a store module and a case here.
extension ServerStores {
    /// Opens the stores named by MLflow's server options: `--backend-store-uri` (a SQLite path or `sqlite:///` URI)
    /// and `--artifacts-destination` (a local folder, or `s3://bucket/prefix`).
    static func open(backendStoreURI: String, artifactsDestination: String) throws -> ServerStores {
        let database = try SQLiteBackend(location: backendStoreURI)
        return ServerStores(
            tracking: database.tracking, registry: database.registry, webhooks: database.webhooks,
            artifacts: try openArtifacts(artifactsDestination), endpoints: database.endpoints,
            monitoring: database.monitoring)
    }

    /// The artifact store at `destination`: `s3://bucket/prefix` through the S3 API (endpoint and credentials from
    /// `MLFLOW_S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...), anything else a local folder.
    static func openArtifacts(_ destination: String) throws -> any ArtifactStore {
        guard destination.lowercased().hasPrefix("s3://") else { return try LocalArtifactStore(root: destination) }
        guard let location = S3Location(uri: destination) else {
            throw KaizenError.invalidParameter("Invalid S3 artifacts destination '\(destination)'")
        }
        let configuration = try S3Configuration(environment: ProcessInfo.processInfo.environment)
        return S3ArtifactStore(client: S3Client(configuration: configuration), location: location)
    }
}
