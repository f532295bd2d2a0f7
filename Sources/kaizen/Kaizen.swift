import ArgumentParser

/// The `kaizen` command: the server and a client for humans.
@main
struct Kaizen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaizen",
        abstract: "Kaizen: an MLOps platform in one binary, compatible with the MLflow client.",
        subcommands: [
            ServerCommand.self, ExperimentsCommand.self, RunsCommand.self, ModelsCommand.self, OnnxCommand.self,
            EndpointsCommand.self, RolloutsCommand.self, CICommand.self, MonitorCommand.self, TokenizeCommand.self,
        ]
    )
}
