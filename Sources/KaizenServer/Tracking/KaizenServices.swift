public import KaizenArtifacts
import KaizenCore
public import KaizenDeploy
public import KaizenMonitoring
public import KaizenRegistry
public import KaizenTracking
public import Logging
public import ServiceLifecycle

/// The services behind the HTTP layer, built on stores the caller opened.
public struct KaizenServices: Sendable {
    /// Tracking's domain operations.
    public let tracking: TrackingService
    /// The registry's domain operations; its events go to webhook delivery.
    public let registry: RegistryService
    /// The files behind the artifact proxy.
    public let artifacts: any ArtifactStore
    /// Deployment endpoints; their changes are audited and announced as the registry's are.
    public let deploy: DeployService
    /// The inference log's segments and the reports over them.
    public let monitor: MonitorService
    let webhooks: any WebhookStore
    let dispatcher: WebhookDispatcher
    let rollouts: RolloutController
    let alerter: MonitorAlerter

    /// Builds the services on `stores` and creates the Default experiment if it is missing.
    public init(
        stores: ServerStores, configuration: ServerConfiguration, logger: Logger = Logger(label: "kaizen")
    ) async throws {
        tracking = TrackingService(
            store: stores.tracking, defaultArtifactRoot: configuration.defaultArtifactRoot,
            workingDirectory: configuration.workingDirectory)
        try await tracking.bootstrap()
        artifacts = stores.artifacts
        webhooks = stores.webhooks
        dispatcher = WebhookDispatcher(
            store: stores.webhooks,
            policy: WebhookPolicy(
                allowedSchemes: configuration.webhookAllowedSchemes,
                allowPrivateAddresses: configuration.webhookAllowPrivateAddresses),
            logger: logger, maxAttempts: configuration.webhookMaxAttempts)
        registry = RegistryService(store: stores.registry, tracking: tracking, events: dispatcher)
        monitor = MonitorService(store: stores.monitoring, artifacts: stores.artifacts)
        deploy = DeployService(endpoints: stores.endpoints, registry: stores.registry, events: dispatcher)
        alerter = MonitorAlerter(
            monitor: monitor, endpoints: stores.endpoints, events: dispatcher, interval: configuration.monitorInterval,
            grace: configuration.monitorGrace, logger: logger,
            leadership: Leadership(
                leases: stores.leases, name: "monitor-alerts", interval: configuration.monitorInterval, logger: logger))
        rollouts = RolloutController(
            deploy: deploy, checks: ModelContractChecker(registry: stores.registry, artifacts: stores.artifacts),
            performance: MonitorPerformanceSource(monitor: monitor),
            interval: configuration.rolloutInterval, logger: logger, reportRetention: configuration.reportRetention,
            leadership: Leadership(
                leases: stores.leases, name: "rollouts", interval: configuration.rolloutInterval, logger: logger))

    }

    /// Background services to run beside the HTTP server.
    public var backgroundServices: [any Service] { [dispatcher, rollouts, alerter] }
}
