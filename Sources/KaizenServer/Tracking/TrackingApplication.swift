import Foundation
public import Hummingbird
public import KaizenArtifacts
import KaizenCore
public import KaizenRegistry
import KaizenStorage
public import KaizenTracking
public import Logging
public import ServiceLifecycle

/// The services behind the HTTP layer, built from a configuration.
public struct KaizenServices: Sendable {
    public let tracking: TrackingService
    public let registry: RegistryService
    public let artifacts: any ArtifactStore
    let webhooks: any WebhookStore
    let dispatcher: WebhookDispatcher

    /// Opens the store and the artifact root named by `configuration`, and creates the Default experiment.
    public static func open(
        _ configuration: ServerConfiguration, logger: Logger = Logger(label: "kaizen")
    ) async throws
        -> KaizenServices
    {
        let pool = try SQLiteDatabase.open(configuration.backendStoreURI)
        let tracking = TrackingService(
            store: SQLiteTrackingStore(pool: pool), defaultArtifactRoot: configuration.defaultArtifactRoot,
            workingDirectory: configuration.workingDirectory)
        try await tracking.bootstrap()
        let artifacts = try LocalArtifactStore(root: configuration.artifactsDestination)
        let webhooks = SQLiteWebhookStore(pool: pool)
        let dispatcher = WebhookDispatcher(
            store: webhooks,
            policy: WebhookPolicy(
                allowedSchemes: configuration.webhookAllowedSchemes,
                allowPrivateAddresses: configuration.webhookAllowPrivateAddresses),
            logger: logger, maxAttempts: configuration.webhookMaxAttempts)
        let registry = RegistryService(store: SQLiteRegistryStore(pool: pool), tracking: tracking, events: dispatcher)
        return KaizenServices(
            tracking: tracking, registry: registry, artifacts: artifacts, webhooks: webhooks, dispatcher: dispatcher)
    }

    /// Background services to run beside the HTTP server.
    public var backgroundServices: [any Service] { [dispatcher] }
}

/// Builds the router with every Kaizen endpoint; tests drive it without a socket.
public func buildRouter(
    services: KaizenServices, configuration: ServerConfiguration
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: HostCheckMiddleware(bindHost: configuration.host, allowedHosts: configuration.allowedHosts))
    let endpoints = EndpointRegistrar(router: router, bodyLimit: configuration.maxRequestBodySize)
    SystemRoutes.register(on: router)
    ExperimentRoutes.register(on: endpoints, tracking: services.tracking)
    RunRoutes.register(on: endpoints, tracking: services.tracking)
    LoggedModelRoutes.register(on: endpoints, tracking: services.tracking)
    RegistryRoutes.register(on: endpoints, registry: services.registry)
    WebhookRoutes.register(on: endpoints, store: services.webhooks, dispatcher: services.dispatcher)
    ArtifactRoutes.register(on: router, store: services.artifacts, fileIO: FileIO())
    ArtifactRoutes.registerRunListing(on: endpoints, tracking: services.tracking, store: services.artifacts)
    return router
}

/// Builds the Kaizen server application: opens storage, wires the routes, binds the address.
public func buildApplication(
    configuration: ServerConfiguration, logger: Logger
) async throws -> some ApplicationProtocol {
    let services = try await KaizenServices.open(configuration, logger: logger)
    let router = buildRouter(services: services, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kaizen"),
        services: services.backgroundServices,
        logger: logger)
}
