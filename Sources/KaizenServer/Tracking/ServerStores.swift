public import KaizenArtifacts
public import KaizenCore
public import KaizenDeploy
public import KaizenMonitoring
public import KaizenRegistry
public import KaizenTracking

/// The stores a tracking server runs on. The caller opens them (the `kaizen` command picks the backend from
/// `--backend-store-uri` and `--artifacts-destination`), so the HTTP layer knows only their protocols.
public struct ServerStores: Sendable {
    /// Experiments, runs, metrics, logged models.
    public var tracking: any TrackingStore
    /// Registered models, versions, aliases and the audit trail; its writes commit with their audit records.
    public var registry: any RegistryStore
    /// Webhooks and their deliveries.
    public var webhooks: any WebhookStore
    /// The files behind the artifact proxy.
    public var artifacts: any ArtifactStore
    /// Deployment endpoints; their audit records go to the registry's trail.
    public var endpoints: any EndpointStore
    /// The inference log's segments (their bytes go to `artifacts`).
    public var monitoring: any MonitorStore
    /// Which of the replicas on one database drives rollouts and evaluates alert rules.
    public var leases: any LeaseStore

    /// Bundles stores that the caller opened.
    public init(
        tracking: any TrackingStore, registry: any RegistryStore, webhooks: any WebhookStore,
        artifacts: any ArtifactStore, endpoints: any EndpointStore, monitoring: any MonitorStore,
        leases: any LeaseStore = SingleProcessLeases()
    ) {
        self.tracking = tracking
        self.registry = registry
        self.webhooks = webhooks
        self.artifacts = artifacts
        self.endpoints = endpoints
        self.monitoring = monitoring
        self.leases = leases
    }
}
