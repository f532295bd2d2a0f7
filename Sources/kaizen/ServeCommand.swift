import ArgumentParser
import Foundation
import Hummingbird
import KaizenClient
import KaizenCore
import KaizenMonitoring
import KaizenONNX
import KaizenServer
import KaizenServing
import Logging

/// `kaizen models serve`: a model behind MLflow's scoring protocol and the Open Inference Protocol v2.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP (MLflow /invocations, Open Inference Protocol v2, /metrics).",
        // -h is the host, as in `mlflow models serve`; help is --help.
        helpNames: [.long])

    @OptionGroup var source: ModelSourceOptions

    @Option(
        help: ArgumentHelp(
            "Serve a deployment endpoint instead of one model: every version with traffic or shadow traffic, routed by "
                + "the endpoint's weights, which are followed every --poll-interval seconds.", valueName: "name"))
    var endpoint: String?

    @Option(help: "With --endpoint: seconds between the replica's reports to the control plane.")
    var reportInterval = 5.0

    @Option(help: "Name to serve the model under (default: the registered model's, or the file's).")
    var modelName: String?

    @Option(help: "Version to report for the model (default: the registered version, if any).")
    var modelVersion: String?

    @Option(name: [.customShort("h"), .long], help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: [.customShort("p"), .long], help: "Port to listen on.")
    var port = 5000

    @Option(help: "Most rows the micro-batcher stacks into one engine call.")
    var maxBatchSize = 256

    @Option(help: "How long a partial batch waits for more requests, in milliseconds (0: only what queued meanwhile).")
    var maxBatchWaitMs = 0.0

    @Flag(help: "Score each request on its own, without micro-batching.")
    var noBatching = false

    @Option(help: "Threads one large engine call may use (a long text, a large batch); default: every core.")
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds between checks for a new version when the URI names a stage or an alias (default 30; 0: never), "
                + "or for new weights with --endpoint (default 2: a rollout's steps and roll-backs reach the replica "
                + "within it).", valueName: "seconds"))
    var pollInterval: Double?

    /// The poll interval in effect: the option, else the mode's default.
    var poll: Double { pollInterval ?? (endpoint == nil ? 30 : 2) }

    @Option(help: "Largest request body accepted, in bytes.")
    var maxRequestBodySize = 64 << 20

    @Flag(help: "Do not write a JSON access-log line per request to standard output.")
    var noAccessLog = false

    @Option(
        help: ArgumentHelp(
            "Keep an inference log under this name (with --endpoint: the endpoint's name unless --no-inference-log): "
                + "request ids, inputs and outputs, shipped in gzip'd segments to the tracking server.",
            valueName: "name"))
    var inferenceLog: String?

    @Flag(help: "With --endpoint: keep no inference log.")
    var noInferenceLog = false

    @Option(help: "Share of requests the inference log keeps, 0 to 1.")
    var logSampleRate = 1.0

    @Option(help: "Most requests the inference log keeps per second (0: no cap).")
    var logRateCap = 10_000

    @Option(help: "Most rows waiting to be written to a segment; requests beyond are dropped and counted.")
    var logQueue = 65_536

    @Option(help: "A segment closes at this many megabytes of JSON lines, or at --log-segment-seconds.")
    var logSegmentMb = 8.0

    @Option(help: "A segment closes this many seconds after its first request, or at --log-segment-mb.")
    var logSegmentSeconds = 60.0

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (source.modelURI == nil) != (endpoint == nil) else {
            throw ValidationError("Pass either -m/--model-uri or --endpoint")
        }
        guard reportInterval > 0, reportInterval <= 3600 else {
            throw ValidationError("--report-interval must be between 0 and 3600 seconds")
        }
        if endpoint != nil {
            guard poll > 0 else { throw ValidationError("--endpoint needs a --poll-interval above 0") }
        }
        guard maxBatchSize >= 1 else { throw ValidationError("--max-batch-size must be at least 1") }
        guard maxBatchWaitMs >= 0, maxBatchWaitMs <= 10_000 else {
            throw ValidationError("--max-batch-wait-ms must be between 0 and 10000")
        }
        guard poll >= 0, poll <= 86_400 else { throw ValidationError("--poll-interval must be 0 to 86400 seconds") }
        guard maxRequestBodySize > 0 else { throw ValidationError("--max-request-body-size must be positive") }
        if let inferenceLog {
            do { try ResourceName.validate(inferenceLog, field: "inference log name") } catch {
                throw ValidationError(error.message)
            }
        }
        guard logSampleRate >= 0, logSampleRate <= 1 else { throw ValidationError("--log-sample-rate must be 0 to 1") }
        guard logRateCap >= 0 else { throw ValidationError("--log-rate-cap must be 0 or more") }
        guard logQueue >= 1, logQueue <= 10_000_000 else {
            throw ValidationError("--log-queue must be between 1 and 10000000")
        }
        guard logSegmentMb > 0, logSegmentMb <= 48 else {
            throw ValidationError("--log-segment-mb must be above 0 and at most 48")
        }
        guard logSegmentSeconds >= 0.1, logSegmentSeconds <= 86_400 else {
            throw ValidationError("--log-segment-seconds must be between 0.1 and 86400")
        }
    }

    func run() async throws {
        IntraOpThreads.set(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var logger = Logger(label: "kaizen.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = ServingConfiguration(
            host: host, port: port, maxRequestBodySize: maxRequestBodySize,
            batching: noBatching
                ? nil
                : MicroBatcher.Configuration(
                    maximumRows: maxBatchSize, maximumWait: .microseconds(Int64(maxBatchWaitMs * 1000))),
            accessLog: !noAccessLog && logger.logLevel <= .info, inferenceLogging: try inferenceLogging())
        if let endpoint {
            let app = try EndpointPlans(name: endpoint, locator: try source.locator(), logger: logger)
                .application(
                    configuration: configuration, pollInterval: .milliseconds(Int64(poll * 1000)),
                    reportInterval: .milliseconds(Int64(reportInterval * 1000)))
            try await app.runService()
            return
        }
        let reference = try source.reference()
        let locator = try source.locator()
        var watch: (@Sendable (ScoringModel) async throws -> ScoringModel?)?
        if reference.isMoving && poll > 0 {
            watch = { current in
                let located = identified(try await locator.locate(reference))
                guard located.version != current.version else { return nil }
                return try await ModelSourceOptions.load(located, with: locator)
            }
        }
        // The server listens at once and answers 503 on /ping and /v2/health/ready until the model has loaded.
        let load: @Sendable () async throws -> ScoringModel = { [host, port, logger] in
            let started = ContinuousClock.now
            let model = try await ModelSourceOptions.load(
                identified(try await locator.locate(reference)), with: locator)
            let version = model.version.map { " version \($0)" } ?? ""
            let elapsed = ContinuousClock.now - started
            logger.notice(
                "Serving \(model.name)\(version) from \(reference) on http://\(host):\(port) (loaded in \(elapsed))")
            return model
        }
        let app = buildServingApplication(
            loading: load, configuration: configuration, logger: logger, watch: watch,
            pollInterval: .milliseconds(Int64(poll * 1000)))
        try await app.runService()
    }

    /// The inference log's settings, when one is kept: it needs the tracking server to ship to.
    func inferenceLogging() throws -> ServingConfiguration.InferenceLogging? {
        guard let name = inferenceLog ?? (noInferenceLog ? nil : endpoint) else { return nil }
        guard let client = try source.locator().client else {
            throw ValidationError(
                "The inference log is shipped to the tracking server: set --tracking-uri or MLFLOW_TRACKING_URI")
        }
        var shipping = InferenceShipper.Settings()
        shipping.segmentBytes = Int(logSegmentMb * 1_048_576)
        shipping.segmentAge = .milliseconds(Int64(logSegmentSeconds * 1000))
        return ServingConfiguration.InferenceLogging(
            name: name, client: client,
            log: InferenceLog.Settings(sampleRate: logSampleRate, rateCap: logRateCap, capacity: logQueue),
            shipping: shipping)
    }

    /// `located` under the name and version given on the command line.
    func identified(_ located: LocatedModel) -> LocatedModel {
        var located = located
        if let modelName { located.name = modelName }
        if let modelVersion { located.version = modelVersion }
        return located
    }
}
