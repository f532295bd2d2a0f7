public import Logging

/// Kaizen's stores on one PostgreSQL database: tracking, registry, webhooks, endpoints and monitoring share a pool,
/// and any number of server replicas can run on it at once.
public struct PostgresBackend: Sendable {
    /// The pooled database the stores share.
    public let database: PostgresDatabase
    public let tracking: PostgresTrackingStore
    public let registry: PostgresRegistryStore
    public let webhooks: PostgresWebhookStore
    /// Endpoints and rollouts (their audit records go to the registry's trail).
    public let endpoints: PostgresEndpointStore
    public let monitoring: PostgresMonitorStore
    /// Which replica drives rollouts and alert rules.
    public let leases: PostgresLeaseStore

    /// The stores over an open database.
    public init(database: PostgresDatabase) {
        self.database = database
        tracking = PostgresTrackingStore(database: database)
        registry = PostgresRegistryStore(database: database)
        webhooks = PostgresWebhookStore(database: database)
        endpoints = PostgresEndpointStore(database: database)
        monitoring = PostgresMonitorStore(database: database)
        leases = PostgresLeaseStore(database: database)
    }

    /// Connects to the database a `postgresql://` URI names and brings its schema up to date.
    ///
    /// - Parameter maximumConnections: this process's share of the server's connections.
    public static func open(
        uri: String, maximumConnections: Int = 16, logger: Logger = PostgresDatabase.defaultLogger
    ) async throws -> PostgresBackend {
        let location = try PostgresLocation(uri: uri)
        let database = try await PostgresDatabase.open(
            location, maximumConnections: maximumConnections, logger: logger)
        return PostgresBackend(database: database)
    }
}
