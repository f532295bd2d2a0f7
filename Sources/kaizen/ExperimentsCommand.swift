import ArgumentParser
import KaizenClient
import KaizenCore

/// `kaizen experiments ...`
struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments", abstract: "Work with experiments on a tracking server.",
        subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List experiments.")

        @OptionGroup var options: ClientOptions

        @Flag(help: "Include deleted experiments.")
        var all = false

        func run() async throws {
            let client = try options.client()
            var table = TextTable(headers: ["ID", "NAME", "STAGE", "ARTIFACT LOCATION", "CREATED (UTC)"])
            var token: String?
            repeat {
                var body: [(String, JSONValue)] = [
                    ("max_results", 1000), ("view_type", .string(all ? "ALL" : "ACTIVE_ONLY")),
                ]
                if let token { body.append(("page_token", .string(token))) }
                let page = try await client.call("experiments/search", post: .object(body))
                for experiment in page["experiments"]?.arrayValue ?? [] {
                    table.rows.append([
                        experiment["experiment_id"]?.stringValue ?? "", experiment["name"]?.stringValue ?? "",
                        experiment["lifecycle_stage"]?.stringValue ?? "",
                        experiment["artifact_location"]?.stringValue ?? "",
                        formatTime(experiment["creation_time"]?.int64Value),
                    ])
                }
                token = page["next_page_token"]?.stringValue
            } while token != nil
            print(table.render(maxColumnWidth: 60))
        }
    }
}
