import Foundation
public import Hummingbird
import KaizenArtifacts
import KaizenCore
public import Logging

/// Builds the router with every Kaizen endpoint; tests drive it without a socket.
public func buildRouter(
    services: KaizenServices, configuration: ServerConfiguration
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: HostCheckMiddleware(bindHost: configuration.host, allowedHosts: configuration.allowedHosts))
    router.add(middleware: UITokenMiddleware(token: configuration.uiToken))
    let endpoints = EndpointRegistrar(router: router, bodyLimit: configuration.maxRequestBodySize)
    SystemRoutes.register(on: router, multipartUploads: services.artifacts is any MultipartArtifactStore)
    ExperimentRoutes.register(on: endpoints, tracking: services.tracking)
    RunRoutes.register(on: endpoints, tracking: services.tracking)
    LoggedModelRoutes.register(on: endpoints, tracking: services.tracking)
    RegistryRoutes.register(on: endpoints, registry: services.registry)
    WebhookRoutes.register(on: endpoints, store: services.webhooks, dispatcher: services.dispatcher)
    DeployRoutes.register(on: endpoints, deploy: services.deploy)
    MonitorRoutes.register(on: router, endpoints: endpoints, monitor: services.monitor, alerter: services.alerter)
    ArtifactRoutes.register(on: router, store: services.artifacts)
    ArtifactRoutes.registerRunListing(on: endpoints, tracking: services.tracking, store: services.artifacts)
    UIDataRoutes.register(on: endpoints, tracking: services.tracking)
    UIAssets.register(on: router, title: "Kaizen", assets: UIAssets.server, token: configuration.uiToken)
    return router
}

/// Builds the tracking server application on `stores`: wires the routes, binds the address.
public func buildApplication(
    stores: ServerStores, configuration: ServerConfiguration, logger: Logger
) async throws -> some ApplicationProtocol {
    let services = try await KaizenServices(stores: stores, configuration: configuration, logger: logger)
    let router = buildRouter(services: services, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kaizen"),
        services: services.backgroundServices,
        logger: logger)
}
