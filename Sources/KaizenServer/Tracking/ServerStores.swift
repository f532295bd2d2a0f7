public import KaizenArtifacts
public import KaizenRegistry
public import KaizenTracking

/// The stores a tracking server runs on. The caller opens them (the `kaizen` command picks the backend from
/// `--backend-store-uri` and `--artifacts-destination`), so the HTTP layer knows only their protocols.
public struct ServerStores: Sendable {
    public var tracking: any TrackingStore
    public var registry: any RegistryStore
    public var webhooks: any WebhookStore
    public var artifacts: any ArtifactStore

    public init(
        tracking: any TrackingStore, registry: any RegistryStore, webhooks: any WebhookStore,
        artifacts: any ArtifactStore
    ) {
        self.tracking = tracking
        self.registry = registry
        self.webhooks = webhooks
        self.artifacts = artifacts
    }
}
