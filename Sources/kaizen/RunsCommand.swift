import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore

/// `kaizen runs ...`
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Work with runs on a tracking server.", subcommands: [List.self, Describe.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the runs of an experiment.")

        @OptionGroup var options: ClientOptions

        @Option(help: "Experiment name (or id with --experiment-id).")
        var experiment: String?

        @Option(help: "Experiment id.")
        var experimentID: String?

        @Option(help: "Filter: MLflow's syntax plus OR and parentheses, e.g. \"metrics.rmse < 0.5 or params.a = '1'\".")
        var filter: String?

        @Option(help: "Order, e.g. \"metrics.rmse ASC\" (repeatable).")
        var orderBy: [String] = []

        @Option(help: "Most runs to show.")
        var maxResults = 100

        func run() async throws {
            let client = try options.client()
            var id = experimentID
            if id == nil {
                guard let experiment else { throw ValidationError("Give --experiment NAME or --experiment-id ID.") }
                let found = try await client.call("experiments/get-by-name", get: [("experiment_name", experiment)])
                id = found["experiment"]?["experiment_id"]?.stringValue
            }
            guard let id else { throw ValidationError("Experiment not found.") }
            var body: [(String, JSONValue)] = [
                ("experiment_ids", [.string(id)]), ("max_results", .integer(Int64(maxResults))),
                ("order_by", .array(orderBy.map { .string($0) })),
            ]
            if let filter { body.append(("filter", .string(filter))) }
            let page = try await client.call("runs/search", post: .object(body))
            let runs = page["runs"]?.arrayValue ?? []
            // Show the metrics that the listed runs have, so the table answers "which run is best".
            var metricKeys: [String] = []
            for run in runs {
                for metric in run["data"]?["metrics"]?.arrayValue ?? [] {
                    if let key = metric["key"]?.stringValue, !metricKeys.contains(key) { metricKeys.append(key) }
                }
            }
            metricKeys = Array(metricKeys.prefix(4))
            var table = TextTable(headers: ["RUN ID", "NAME", "STATUS", "STARTED (UTC)"] + metricKeys)
            for run in runs {
                let info = run["info"]
                let metrics = run["data"]?["metrics"]?.arrayValue ?? []
                let values = metricKeys.map { key in
                    metrics.first { $0["key"]?.stringValue == key }.map { formatValue($0["value"]) } ?? "-"
                }
                table.rows.append(
                    [
                        info?["run_id"]?.stringValue ?? "", info?["run_name"]?.stringValue ?? "",
                        info?["status"]?.stringValue ?? "", formatTime(info?["start_time"]?.int64Value),
                    ] + values)
            }
            print(table.render())
            print("\(runs.count) run(s)")
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one run: info, params, metrics, tags.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run id.")
        var runID: String

        func run() async throws {
            let client = try options.client()
            let response = try await client.call("runs/get", get: [("run_id", runID)])
            guard let run = response["run"], let info = run["info"] else { throw ValidationError("No run in answer.") }
            let fields: [(String, String)] = [
                ("Run ID", info["run_id"]?.stringValue ?? ""), ("Name", info["run_name"]?.stringValue ?? ""),
                ("Experiment ID", info["experiment_id"]?.stringValue ?? ""),
                ("Status", info["status"]?.stringValue ?? ""),
                ("Lifecycle", info["lifecycle_stage"]?.stringValue ?? ""),
                ("User", info["user_id"]?.stringValue ?? ""),
                ("Started (UTC)", formatTime(info["start_time"]?.int64Value)),
                ("Ended (UTC)", formatTime(info["end_time"]?.int64Value)),
                ("Artifacts", info["artifact_uri"]?.stringValue ?? ""),
            ]
            for (name, value) in fields { print("\(name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(value)") }
            let sections: [(String, String, [String])] = [
                ("Params", "params", ["KEY", "VALUE"]), ("Metrics", "metrics", ["KEY", "VALUE", "STEP"]),
                ("Tags", "tags", ["KEY", "VALUE"]),
            ]
            for (title, field, headers) in sections {
                let items = run["data"]?[field]?.arrayValue ?? []
                print("\n\(title) (\(items.count))")
                guard !items.isEmpty else { continue }
                var table = TextTable(headers: headers)
                for item in items {
                    var row = [item["key"]?.stringValue ?? "", formatValue(item["value"])]
                    if field == "metrics" { row.append(item["step"]?.int64Value.map(String.init) ?? "0") }
                    table.rows.append(row)
                }
                print(table.render(maxColumnWidth: 80))
            }
            let datasets = run["inputs"]?["dataset_inputs"]?.arrayValue ?? []
            if !datasets.isEmpty {
                print("\nDatasets (\(datasets.count))")
                for input in datasets {
                    print(
                        "  \(input["dataset"]?["name"]?.stringValue ?? "") (\(input["dataset"]?["digest"]?.stringValue ?? ""))"
                    )
                }
            }
        }
    }
}

func formatValue(_ value: JSONValue?) -> String {
    switch value {
    case .string(let text): text
    case .integer(let number): String(number)
    case .double(let number): number.description
    case .bool(let flag): String(flag)
    case nil, .null: "-"
    default: value?.jsonText ?? "-"
    }
}
