public import Hummingbird
public import KaizenClient
import KaizenONNX
public import KaizenServing
public import Logging
import NIOCore
import ServiceLifecycle

/// Builds the scoring router: MLflow's scoring protocol, the Open Inference Protocol v2, `/metrics` and the prediction
/// form at `/`.
public func buildServingRouter(
    service: ScoringService, metrics: ServingMetrics, configuration: ServingConfiguration,
    stats: ReplicaStats? = nil, log: (InferenceLog, InferenceShipper.Progress)? = nil
) -> Router<ServingContext> {
    let router = Router(context: ServingContext.self)
    router.add(
        middleware: AccessLogMiddleware(
            slot: service.slot, metrics: metrics, stats: stats, log: AccessLog(enabled: configuration.accessLog)))
    ScoringRoutes.register(
        on: router, service: service, bodyLimit: configuration.maxRequestBodySize, stats: stats, log: log?.0)
    InferenceRoutes.register(
        on: router, service: service, bodyLimit: configuration.maxRequestBodySize, stats: stats, log: log?.0)
    FeedbackRoutes.register(on: router, logging: configuration.inferenceLogging)
    PredictionFormRoutes.register(on: router, slot: service.slot)
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition() + (log.map(logMetrics) ?? []))))
    }
    return router
}

/// Builds the scoring server for `model`; `watcher` (for a stage or alias) and the batcher run beside it, and
/// SIGTERM lets in-flight requests finish before the process exits.
public func buildServingApplication(
    model: ScoringModel, configuration: ServingConfiguration, logger: Logger,
    watch: (@Sendable (_ current: ScoringModel) async throws -> ScoringModel?)? = nil,
    pollInterval: Duration = .seconds(30)
) -> some ApplicationProtocol {
    buildServingApplication(
        slot: ModelSlot(model), loader: nil, configuration: configuration, logger: logger, watch: watch,
        pollInterval: pollInterval)
}

/// Builds a scoring server that listens at once and loads its model meanwhile: `/v2/health/ready` and `/ping`
/// answer 503 until `load` returns, and a failed load stops the server with its error.
public func buildServingApplication(
    loading load: @escaping @Sendable () async throws -> ScoringModel, configuration: ServingConfiguration,
    logger: Logger, watch: (@Sendable (_ current: ScoringModel) async throws -> ScoringModel?)? = nil,
    pollInterval: Duration = .seconds(30)
) -> some ApplicationProtocol {
    let slot = ModelSlot()
    return buildServingApplication(
        slot: slot, loader: ModelLoader(slot: slot) { ServingPlan(model: try await load()) },
        configuration: configuration, logger: logger, watch: watch.map(ModelWatcher.followingPrimary),
        pollInterval: pollInterval, shadowing: false)
}

/// Builds a scoring server for an endpoint: it listens at once, loads the plan (the endpoint's versions and
/// weights) meanwhile, and every `pollInterval` asks `watch` for a new plan (a new revision of the endpoint). Shadow
/// versions get copies of requests off the request path.
///
/// With `reports`, the replica counts what each version answered (requests, errors, latency, a sketch of the
/// predictions, shadow agreement) and sends it to the control plane every `interval`.
public func buildServingApplication(
    loadingPlan load: @escaping @Sendable () async throws -> ServingPlan, configuration: ServingConfiguration,
    logger: Logger, watch: @escaping @Sendable (_ current: ServingPlan) async throws -> ServingPlan?,
    pollInterval: Duration, reports: (endpoint: String, client: TrackingClient, interval: Duration)? = nil
) -> some ApplicationProtocol {
    let slot = ModelSlot()
    let stats = reports.map { _ in ReplicaStats() }
    var extra: [any Service] = []
    if let reports, let stats {
        extra.append(
            ReportSender(
                endpoint: reports.endpoint, client: reports.client, stats: stats, interval: reports.interval,
                logger: logger))
    }
    return buildServingApplication(
        slot: slot, loader: ModelLoader(slot: slot, load: load), configuration: configuration, logger: logger,
        watch: watch, pollInterval: pollInterval, shadowing: true, stats: stats, extra: extra)
}

func buildServingApplication(
    slot: ModelSlot, loader: ModelLoader?, configuration: ServingConfiguration, logger: Logger,
    watch: (@Sendable (_ current: ScoringModel) async throws -> ScoringModel?)?, pollInterval: Duration
) -> some ApplicationProtocol {
    buildServingApplication(
        slot: slot, loader: loader, configuration: configuration, logger: logger,
        watch: watch.map(ModelWatcher.followingPrimary), pollInterval: pollInterval, shadowing: false)
}

func buildServingApplication(
    slot: ModelSlot, loader: ModelLoader?, configuration: ServingConfiguration, logger: Logger,
    watch: (@Sendable (_ current: ServingPlan) async throws -> ServingPlan?)?, pollInterval: Duration,
    shadowing: Bool, stats: ReplicaStats? = nil, extra: [any Service] = []
) -> some ApplicationProtocol {
    let metrics = ServingMetrics()
    let batcher = configuration.batching.map { settings in
        MicroBatcher(configuration: settings) { model, rows in metrics.batch(rows, model: model) }
    }
    let mirror =
        shadowing
        ? ShadowMirror { model, result, duration in
            metrics.shadow(model, result)
            stats?.shadow(model, result, duration: duration)
        } : nil
    let service = ScoringService(slot: slot, batcher: batcher, mirror: mirror) { model, rows in
        metrics.batch(rows, model: model)
    }
    var services: [any Service] = []
    if let loader { services.append(loader) }
    if let batcher { services.append(batcher) }
    if let mirror { services.append(mirror) }
    if let watch { services.append(ModelWatcher(slot: slot, interval: pollInterval, logger: logger, check: watch)) }
    services += extra
    var log: (InferenceLog, InferenceShipper.Progress)?
    if let logging = configuration.inferenceLogging {
        let shipper = InferenceShipper(
            name: logging.name, client: logging.client, log: InferenceLog(settings: logging.log),
            settings: logging.shipping, logger: logger)
        services.append(shipper)
        log = (shipper.log, shipper.progress)
    }
    return Application(
        router: buildServingRouter(
            service: service, metrics: metrics, configuration: configuration, stats: stats, log: log),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kaizen"),
        services: services, logger: logger)
}
