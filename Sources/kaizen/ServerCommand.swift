import ArgumentParser
import Foundation
import Hummingbird
import KaizenServer
import Logging

/// `kaizen server`: the MLflow-compatible tracking server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the tracking server (MLflow REST API, artifact proxy) on SQLite and a local folder."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 5000

    @Option(help: "SQLite database: a path or sqlite:///relative.db / sqlite:////absolute.db.")
    var backendStoreURI = "sqlite:///mlflow.db"

    @Option(help: "Folder that holds artifacts served through the proxy.")
    var artifactsDestination = "./mlartifacts"

    @Option(help: "Artifact root for new experiments.")
    var defaultArtifactRoot = "mlflow-artifacts:/"

    @Option(help: "Extra Host header values to accept (comma-separated; '*' for any).")
    var allowedHosts = ""

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() async throws {
        var logger = Logger(label: "kaizen")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = ServerConfiguration(
            host: host, port: port, backendStoreURI: backendStoreURI, artifactsDestination: artifactsDestination,
            defaultArtifactRoot: defaultArtifactRoot,
            allowedHosts: allowedHosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            workingDirectory: FileManager.default.currentDirectoryPath)
        let app = try await buildApplication(configuration: configuration, logger: logger)
        logger.info("Kaizen tracking server on http://\(host):\(port) (store \(backendStoreURI), artifacts \(artifactsDestination))")
        try await app.runService()
    }
}
