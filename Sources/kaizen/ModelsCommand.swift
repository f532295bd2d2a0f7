import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore

/// `kaizen models ...`: the model registry.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "Work with registered models.",
        subcommands: [
            List.self, Describe.self, Transition.self, Alias.self, History.self, ServeCommand.self, PredictCommand.self,
            BuildImageCommand.self, PackageTextCommand.self,
        ])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered models.")

        @OptionGroup var options: ClientOptions

        @Option(help: "Filter, e.g. \"name LIKE 'fraud%'\".")
        var filter: String?

        func run() async throws {
            let client = try options.client()
            var table = TextTable(headers: ["NAME", "LATEST", "STAGES", "ALIASES", "UPDATED (UTC)"])
            var token: String?
            repeat {
                var query = [("max_results", "1000")]
                if let filter { query.append(("filter", filter)) }
                if let token { query.append(("page_token", token)) }
                let page = try await client.call("registered-models/search", get: query)
                for model in page["registered_models"]?.arrayValue ?? [] {
                    let versions = model["latest_versions"]?.arrayValue ?? []
                    let latest =
                        versions.compactMap { $0["version"]?.stringValue.flatMap { Int($0) } }.max().map(String.init)
                        ?? "-"
                    let stages = versions.compactMap { version -> String? in
                        guard let stage = version["current_stage"]?.stringValue, stage != "None" else { return nil }
                        return "\(stage):v\(version["version"]?.stringValue ?? "")"
                    }
                    let aliases = (model["aliases"]?.arrayValue ?? []).map {
                        "\($0["alias"]?.stringValue ?? "")→v\($0["version"]?.stringValue ?? "")"
                    }
                    table.rows.append([
                        model["name"]?.stringValue ?? "", latest, stages.joined(separator: " "),
                        aliases.joined(separator: " "), formatTime(model["last_updated_timestamp"]?.int64Value),
                    ])
                }
                token = page["next_page_token"]?.stringValue
            } while token != nil
            print(table.render())
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model and its versions.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The registered model name.")
        var name: String

        func run() async throws {
            let client = try options.client()
            let model = try await client.call("registered-models/get", get: [("name", name)])["registered_model"]
            print("Name         \(model?["name"]?.stringValue ?? name)")
            print("Description  \(model?["description"]?.stringValue ?? "")")
            print("Created      \(formatTime(model?["creation_timestamp"]?.int64Value)) UTC")
            var aliasesByVersion: [String: [String]] = [:]
            for alias in model?["aliases"]?.arrayValue ?? [] {
                aliasesByVersion[alias["version"]?.stringValue ?? "", default: []].append(
                    alias["alias"]?.stringValue ?? "")
            }
            let versions = try await client.call(
                "model-versions/search", get: [("filter", "name='\(name.replacingOccurrences(of: "'", with: "\\'"))'")])
            var table = TextTable(headers: ["VERSION", "STAGE", "ALIASES", "RUN ID", "SOURCE", "CREATED (UTC)"])
            let rows = (versions["model_versions"]?.arrayValue ?? []).sorted {
                (Int($0["version"]?.stringValue ?? "") ?? 0) > (Int($1["version"]?.stringValue ?? "") ?? 0)
            }
            for version in rows {
                let number = version["version"]?.stringValue ?? ""
                table.rows.append([
                    number, version["current_stage"]?.stringValue ?? "",
                    (aliasesByVersion[number] ?? []).joined(separator: ","),
                    version["run_id"]?.stringValue ?? "", version["source"]?.stringValue ?? "",
                    formatTime(version["creation_timestamp"]?.int64Value),
                ])
            }
            print("\nVersions (\(rows.count))")
            print(table.render(maxColumnWidth: 60))
        }
    }

    struct Transition: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a version to a stage (None, Staging, Production, Archived).")

        @OptionGroup var options: ClientOptions

        @Argument var name: String
        @Argument var version: String
        @Argument var stage: String

        @Flag(help: "Archive the other versions in the target stage.")
        var archiveExisting = false

        func run() async throws {
            let response = try await options.client().call(
                "model-versions/transition-stage",
                post: .object([
                    ("name", .string(name)), ("version", .string(version)), ("stage", .string(stage)),
                    ("archive_existing_versions", .bool(archiveExisting)),
                ]))
            print("\(name) v\(version) is now in \(response["model_version"]?["current_stage"]?.stringValue ?? stage)")
        }
    }

    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point an alias (e.g. champion) at a version.")

        @OptionGroup var options: ClientOptions

        @Argument var name: String
        @Argument var alias: String
        @Argument var version: String

        func run() async throws {
            _ = try await options.client().call(
                "registered-models/alias",
                post: .object([("name", .string(name)), ("alias", .string(alias)), ("version", .string(version))]))
            print("\(name)@\(alias) → v\(version)")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the audit trail of a model: who changed what, when.")

        @OptionGroup var options: ClientOptions

        @Argument var name: String

        func run() async throws {
            let response = try await options.client().call(
                "registered-models/history", namespace: "kaizen", get: [("name", name)])
            var table = TextTable(headers: ["TIME (UTC)", "ACTOR", "ACTION", "VERSION", "BEFORE", "AFTER"])
            for event in response["events"]?.arrayValue ?? [] {
                table.rows.append([
                    formatTime(event["timestamp"]?.int64Value), event["actor"]?.stringValue ?? "",
                    event["action"]?.stringValue ?? "", event["version"]?.stringValue ?? "-",
                    event["before"].map(\.jsonText) ?? "-", event["after"].map(\.jsonText) ?? "-",
                ])
            }
            print(table.render(maxColumnWidth: 70))
        }
    }
}
