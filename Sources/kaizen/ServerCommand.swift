import ArgumentParser
import Foundation
import Hummingbird
import KaizenPostgres
import KaizenServer
import Logging

/// `kaizen server`: the MLflow-compatible tracking server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the tracking server (MLflow REST API, artifact proxy) on SQLite or PostgreSQL."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 5000

    @Option(
        help: """
            Metadata store: a SQLite path or sqlite:///relative.db / sqlite:////absolute.db, or \
            postgresql://user:password@host:5432/db (README: team topology).
            """)
    var backendStoreURI = "sqlite:///mlflow.db"

    @Option(help: "Where artifacts served through the proxy live: a folder, or s3://bucket/prefix (README: S3).")
    var artifactsDestination = "./mlartifacts"

    @Option(help: "Artifact root for new experiments.")
    var defaultArtifactRoot = "mlflow-artifacts:/"

    @Option(help: "Extra Host header values to accept (comma-separated; '*' for any).")
    var allowedHosts = ""

    @Option(help: "URL schemes webhooks may use, comma-separated (default: $MLFLOW_WEBHOOK_ALLOWED_SCHEMES or https).")
    var webhookAllowedSchemes: String?

    @Flag(help: "Let webhooks target loopback and private addresses (default: $MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS).")
    var webhookAllowPrivateIps = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(
        help: ArgumentHelp(
            "Hours replicas' reports are kept; those a rollout in progress needs stay longer (default: 24).",
            valueName: "hours"))
    var reportRetentionHours: Double = 24

    @Option(help: "Seconds between evaluations of the endpoints' monitoring rules.")
    var monitorIntervalSeconds: Double = 30

    @Option(
        help: "Seconds after a window ends before its rules are evaluated (the replicas' segments arrive meanwhile).")
    var monitorGraceSeconds: Double = 90

    func validate() throws {
        guard monitorIntervalSeconds >= 0.1, monitorIntervalSeconds <= 86_400 else {
            throw ValidationError("--monitor-interval-seconds must be between 0.1 and 86400")
        }
        guard monitorGraceSeconds >= 0, monitorGraceSeconds <= 86_400 else {
            throw ValidationError("--monitor-grace-seconds must be between 0 and 86400")
        }
        guard reportRetentionHours.isFinite, reportRetentionHours > 0, reportRetentionHours <= 24 * 366 else {
            throw ValidationError("--report-retention-hours must be a positive number of hours, at most a year")
        }
    }

    func run() async throws {
        // A 10,000-point history is a 685 KB answer: without this, each one's buffers were mapped fresh and their
        // pages faulted in (8% of the request's CPU).
        AllocatorTuning.keepLargeBlocks()
        var logger = Logger(label: "kaizen")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let environment = ProcessInfo.processInfo.environment
        var configuration = ServerConfiguration(
            host: host, port: port, defaultArtifactRoot: defaultArtifactRoot,
            allowedHosts: allowedHosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            workingDirectory: FileManager.default.currentDirectoryPath)
        // Replicas behind one load balancer share a secret, so a page from one is accepted by the others.
        configuration.uiToken = ServerConfiguration.uiToken(secret: environment["KAIZEN_UI_SECRET"])
        let schemes = webhookAllowedSchemes ?? environment["MLFLOW_WEBHOOK_ALLOWED_SCHEMES"] ?? "https"
        configuration.webhookAllowedSchemes = Set(
            schemes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        configuration.webhookAllowPrivateAddresses =
            webhookAllowPrivateIps || environment["MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS"]?.lowercased() == "true"
        configuration.reportRetention = .seconds(reportRetentionHours * 3600)
        configuration.monitorInterval = .seconds(monitorIntervalSeconds)
        configuration.monitorGrace = .seconds(monitorGraceSeconds)
        let (stores, close) = try await ServerStores.open(
            backendStoreURI: backendStoreURI, artifactsDestination: artifactsDestination, environment: environment)
        do {
            let app = try await buildApplication(stores: stores, configuration: configuration, logger: logger)
            logger.info(
                """
                Kaizen tracking server on http://\(host):\(port) (store \(PostgresLocation.redacted(backendStoreURI)), \
                artifacts \(artifactsDestination))
                """)
            try await app.runService()
        } catch {
            await close()
            throw error
        }
        await close()
    }
}
