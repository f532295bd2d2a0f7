public import Hummingbird
import KaizenONNX
public import KaizenServing
public import Logging
import NIOCore
import ServiceLifecycle

/// Kaizen's own version, reported by the Open Inference Protocol's server metadata.
public let kaizenVersion = "0.4.0"

/// How requests reach the engine: through the micro-batcher, or straight on the request's task.
public struct ScoringEngine: Sendable {
    public let slot: ModelSlot
    public let batcher: MicroBatcher?
    public let metrics: ServingMetrics

    public init(slot: ModelSlot, batcher: MicroBatcher?, metrics: ServingMetrics) {
        self.slot = slot
        self.batcher = batcher
        self.metrics = metrics
    }

    func score(
        _ feeds: [String: Tensor], rows: Int, with model: ScoringModel
    ) async throws(ScoringError)
        -> [String: Value]
    {
        if let batcher { return try await batcher.score(feeds, rows: rows, with: model) }
        metrics.batch(rows, model: model)
        return try model.run(feeds)
    }
}

/// The settings of `kaizen models serve`.
public struct ServingConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted.
    public var maxRequestBodySize: Int
    /// Micro-batching settings; `nil` scores each request on its own.
    public var batching: MicroBatcher.Configuration?
    public var accessLog: Bool

    public init(
        host: String = "127.0.0.1", port: Int = 5000, maxRequestBodySize: Int = 64 << 20,
        batching: MicroBatcher.Configuration? = .init(), accessLog: Bool = true
    ) {
        self.host = host
        self.port = port
        self.maxRequestBodySize = maxRequestBodySize
        self.batching = batching
        self.accessLog = accessLog
    }
}

/// Builds the scoring router: MLflow's scoring protocol, the Open Inference Protocol v2 and `/metrics`.
public func buildServingRouter(engine: ScoringEngine, configuration: ServingConfiguration) -> Router<ServingContext> {
    let router = Router(context: ServingContext.self)
    router.add(
        middleware: AccessLogMiddleware(
            slot: engine.slot, metrics: engine.metrics, log: AccessLog(enabled: configuration.accessLog)))
    ScoringRoutes.register(on: router, engine: engine, bodyLimit: configuration.maxRequestBodySize)
    InferenceRoutes.register(on: router, engine: engine, bodyLimit: configuration.maxRequestBodySize)
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: engine.metrics.exposition())))
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
    let slot = ModelSlot(model)
    let metrics = ServingMetrics()
    let batcher = configuration.batching.map { settings in
        MicroBatcher(configuration: settings) { model, rows in metrics.batch(rows, model: model) }
    }
    let engine = ScoringEngine(slot: slot, batcher: batcher, metrics: metrics)
    var services: [any Service] = []
    if let batcher { services.append(batcher) }
    if let watch { services.append(ModelWatcher(slot: slot, interval: pollInterval, logger: logger, check: watch)) }
    return Application(
        router: buildServingRouter(engine: engine, configuration: configuration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kaizen"),
        services: services, logger: logger)
}
