import KaizenArtifacts
import KaizenServer
import KaizenStorage

/// The composition root of `kaizen server`: the only place that knows which store implementations exist. A new
/// backend is a store module and a case here.
extension ServerStores {
    /// Opens the stores named by MLflow's server options: `--backend-store-uri` (a SQLite path or `sqlite:///` URI)
    /// and `--artifacts-destination` (a local folder).
    static func open(backendStoreURI: String, artifactsDestination: String) throws -> ServerStores {
        let database = try SQLiteBackend(location: backendStoreURI)
        return ServerStores(
            tracking: database.tracking, registry: database.registry, webhooks: database.webhooks,
            artifacts: try LocalArtifactStore(root: artifactsDestination), endpoints: database.endpoints,
            monitoring: database.monitoring)
    }
}
