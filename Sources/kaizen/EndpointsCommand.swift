import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore

/// `kaizen endpoints ...`: deployment endpoints, names that callers use for a model's versions.
struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints", abstract: "Work with deployment endpoints.",
        subcommands: [Create.self, List.self, Describe.self, Update.self, Delete.self])

    /// `3=90,4=10` as the REST API's weights.
    static func weights(_ text: String, option: String) throws -> JSONValue {
        let pairs = try text.split(separator: ",").map { pair -> JSONValue in
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let version = Int64(parts[0]), version > 0, let weight = Int64(parts[1]),
                (0...100).contains(weight)
            else {
                throw ValidationError("\(option) takes VERSION=PERCENT pairs separated by commas, e.g. 3=90,4=10")
            }
            return .object([("version", .string(String(version))), ("weight", .integer(weight))])
        }
        return .array(pairs)
    }

    static func describe(_ endpoint: JSONValue?) -> String {
        func weights(_ value: JSONValue?) -> String {
            let items = (value?.arrayValue ?? []).map {
                "v\($0["version"]?.stringValue ?? "?"): \($0["weight"]?.int64Value ?? 0)%"
            }
            return items.isEmpty ? "-" : items.joined(separator: ", ")
        }
        var lines = [
            "Name         \(endpoint?["name"]?.stringValue ?? "")",
            "Model        \(endpoint?["model_name"]?.stringValue ?? "")",
            "Traffic      \(weights(endpoint?["traffic"]))",
            "Shadow       \(weights(endpoint?["shadow"]))",
        ]
        if let alias = endpoint?["follow_alias"]?.stringValue { lines.append("Follows      @\(alias)") }
        lines += [
            "Revision     \(endpoint?["revision"]?.int64Value ?? 0)",
            "Updated      \(formatTime(endpoint?["last_updated_timestamp"]?.int64Value)) UTC",
        ]
        return lines.joined(separator: "\n")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an endpoint serving one version.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var name: String

        @Option(help: "The registered model.")
        var model: String

        @Option(help: "The version that gets all traffic.")
        var version: Int64

        @Option(help: "An alias whose moves start a rollout.")
        var followAlias: String?

        @Option(help: "A description.")
        var description: String?

        func run() async throws {
            var body: [(String, JSONValue)] = [
                ("name", .string(name)), ("model_name", .string(model)),
                ("traffic", .array([.object([("version", .string(String(version))), ("weight", 100)])])),
            ]
            if let followAlias { body.append(("follow_alias", .string(followAlias))) }
            if let description { body.append(("description", .string(description))) }
            let answer = try await options.client().call("endpoints/create", namespace: "kaizen", post: .object(body))
            print(EndpointsCommand.describe(answer["endpoint"]))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List endpoints.")

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let answer = try await options.client().call("endpoints/list", namespace: "kaizen", get: [])
            var table = TextTable(headers: ["NAME", "MODEL", "TRAFFIC", "SHADOW", "REVISION", "UPDATED (UTC)"])
            for endpoint in answer["endpoints"]?.arrayValue ?? [] {
                func weights(_ value: JSONValue?) -> String {
                    (value?.arrayValue ?? []).map {
                        "v\($0["version"]?.stringValue ?? "?"):\($0["weight"]?.int64Value ?? 0)"
                    }.joined(separator: " ")
                }
                table.rows.append([
                    endpoint["name"]?.stringValue ?? "", endpoint["model_name"]?.stringValue ?? "",
                    weights(endpoint["traffic"]), weights(endpoint["shadow"]),
                    String(endpoint["revision"]?.int64Value ?? 0),
                    formatTime(endpoint["last_updated_timestamp"]?.int64Value),
                ])
            }
            print(table.render())
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an endpoint.")

        @OptionGroup var options: ClientOptions

        @Argument var name: String

        func run() async throws {
            let answer = try await options.client().call("endpoints/get", namespace: "kaizen", get: [("name", name)])
            print(EndpointsCommand.describe(answer["endpoint"]))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an endpoint's traffic (e.g. --traffic 3=90,4=10), shadow traffic or description.")

        @OptionGroup var options: ClientOptions

        @Argument var name: String

        @Option(help: "VERSION=PERCENT pairs summing to 100.")
        var traffic: String?

        @Option(help: "VERSION=PERCENT pairs: the share of requests mirrored to each (\"\" for none).")
        var shadow: String?

        @Option(help: "An alias to follow (\"\" to stop following).")
        var followAlias: String?

        @Option(help: "A description.")
        var description: String?

        func run() async throws {
            var body: [(String, JSONValue)] = [("name", .string(name))]
            if let traffic { body.append(("traffic", try EndpointsCommand.weights(traffic, option: "--traffic"))) }
            if let shadow {
                body.append(
                    ("shadow", shadow.isEmpty ? .array([]) : try EndpointsCommand.weights(shadow, option: "--shadow")))
            }
            if let followAlias { body.append(("follow_alias", followAlias.isEmpty ? .null : .string(followAlias))) }
            if let description { body.append(("description", .string(description))) }
            let answer = try await options.client().call(
                "endpoints/update", namespace: "kaizen", post: .object(body), method: "PATCH")
            print(EndpointsCommand.describe(answer["endpoint"]))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an endpoint.")

        @OptionGroup var options: ClientOptions

        @Argument var name: String

        func run() async throws {
            _ = try await options.client().call(
                "endpoints/delete", namespace: "kaizen", post: .object([("name", .string(name))]), method: "DELETE")
            print("Deleted endpoint \(name)")
        }
    }
}
