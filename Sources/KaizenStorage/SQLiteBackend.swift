public import GRDB

/// Kaizen's stores on one SQLite file: tracking, registry and webhooks share a connection pool, so a registry change
/// and its audit record commit together.
public struct SQLiteBackend: Sendable {
    /// The connection pool the stores share (WAL mode: readers never wait for the writer).
    public let pool: DatabasePool
    /// The tracking store on the pool.
    public let tracking: SQLiteTrackingStore
    /// The registry store on the pool.
    public let registry: SQLiteRegistryStore
    /// The webhook store on the pool.
    public let webhooks: SQLiteWebhookStore
    /// The endpoint store on the pool (its audit records go to the registry's trail).
    public let endpoints: SQLiteEndpointStore
    /// The monitoring store on the pool.
    public let monitoring: SQLiteMonitorStore
    /// Leases over background work, for several processes on one file.
    public let leases: SQLiteLeaseStore

    /// Opens (creating if needed) the database at `location`, a path or an MLflow-style `sqlite:///relative.db` /
    /// `sqlite:////absolute.db` URI, and brings its schema up to date.
    public init(location: String) throws {
        pool = try SQLiteDatabase.open(location)
        tracking = SQLiteTrackingStore(pool: pool)
        registry = SQLiteRegistryStore(pool: pool)
        webhooks = SQLiteWebhookStore(pool: pool)
        endpoints = SQLiteEndpointStore(pool: pool)
        monitoring = SQLiteMonitorStore(pool: pool)
        leases = SQLiteLeaseStore(pool: pool)
    }
}
