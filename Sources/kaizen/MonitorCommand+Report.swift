import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
import KaizenMonitoring

extension MonitorCommand {
    /// `kaizen monitor report ENDPOINT`: the inference log per window and version.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report an endpoint's logged traffic per window and version: drift, missing values, performance.",
            discussion: """
                The tracking server reads the endpoint's inference log over the range, cuts it into windows and \
                splits it by the version that answered. Each window's inputs and outputs are compared with the \
                endpoint's reference (kaizen monitor reference) as kaizen monitor drift compares files, and rows with \
                feedback (POST /feedback, kaizen monitor feedback) give accuracy, precision, recall, F1 and ROC AUC \
                (classifiers) or MAE, RMSE and R² (regressors), set beside the metrics of the same names logged with \
                the version's training run. Times: epoch milliseconds, 2026-12-01, 2026-12-01T10:00, or a duration \
                ago such as 6h or 2d.
                """)

        @Argument(help: "The endpoint (or inference-log name).")
        var endpoint: String

        @Option(help: "Window length: seconds, or a duration such as 15m, 1h, 1d.")
        var window = "1h"

        @Option(help: "Start of the range (default: a day before --until).")
        var since: String?

        @Option(help: "End of the range (default: now).")
        var until: String?

        @Option(help: "The logged output column compared with feedback (default: output.label, else the first output).")
        var prediction: String?

        @Option(help: "classification or regression (default: read from the predictions).")
        var task: String?

        @Option(help: "The registered model whose training runs give the metrics set beside (default: the endpoint's).")
        var model: String?

        @Option(
            name: .customLong("segment-by"),
            help: "A logged column (an input, or an output such as output.label) whose values split each window.")
        var segmentBy: String?

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Option(help: "Also write the report as a self-contained HTML page (histograms as inline SVG) to this file.")
        var html: String?

        @OptionGroup var options: ClientOptions

        func validate() throws {
            _ = try Self.duration(window)
            if let since { _ = try Self.time(since, now: 0) }
            if let until { _ = try Self.time(until, now: 0) }
        }

        func run() async throws {
            let now = currentTimeMillis()
            let to = try until.map { try Self.time($0, now: now) } ?? now
            let from = try since.map { try Self.time($0, now: now) } ?? (to - 86_400_000)
            var query: [(String, String)] = [
                ("endpoint", endpoint), ("from", String(from)), ("to", String(to)),
                ("window_seconds", String(try Self.duration(window) / 1000)),
            ]
            if let prediction { query.append(("prediction", prediction)) }
            if let task { query.append(("task", task)) }
            if let segmentBy { query.append(("segment_by", segmentBy)) }
            let client = try options.client()
            if let html {
                let page = try await client.call(
                    "monitor/report", namespace: "kaizen", get: query + [("format", "html")])["html"]?.stringValue
                guard let page else { throw ValidationError("The tracking server sent no page") }
                try Data(page.utf8).write(to: URL(fileURLWithPath: html))
                print("Wrote \(html)")
                return
            }
            let report = try await client.call("monitor/report", namespace: "kaizen", get: query)
            let training = await trainingMetrics(report, client: client)
            if json {
                var fields = report.objectFields ?? []
                fields.append(
                    (
                        "training_metrics",
                        .object(
                            training.map {
                                ($0.key, .object($0.value.sorted { $0.0 < $1.0 }.map { ($0.0, .double($0.1)) }))
                            }.sorted { $0.0 < $1.0 })
                    ))
                print(String(decoding: JSONValue.object(fields).serialized(), as: UTF8.self))
            } else {
                print(Self.text(report, training: training))
            }
        }

        /// The metrics logged with each reported version's training run, by version.
        func trainingMetrics(_ report: JSONValue, client: TrackingClient) async -> [String: [String: Double]] {
            var name = model
            if name == nil {
                name = try? await client.call("endpoints/get", namespace: "kaizen", get: [("name", endpoint)])[
                    "endpoint"]?["model_name"]?.stringValue
            }
            guard let name else { return [:] }
            let versions = Set((report["windows"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue })
            var found: [String: [String: Double]] = [:]
            for version in versions {
                guard
                    let runID = try? await client.call(
                        "model-versions/get", get: [("name", name), ("version", version)])["model_version"]?["run_id"]?
                        .stringValue, !runID.isEmpty,
                    let metrics = try? await client.call("runs/get", get: [("run_id", runID)])["run"]?["data"]?[
                        "metrics"]?.arrayValue
                else { continue }
                var values: [String: Double] = [:]
                for metric in metrics {
                    if let key = metric["key"]?.stringValue, let value = metric["value"]?.doubleValue {
                        values[key] = value
                    }
                }
                found[version] = values
            }
            return found
        }

        static func text(_ report: JSONValue, training: [String: [String: Double]]) -> String {
            let segmentBy = report["segment_by"]?.stringValue
            var table = TextTable(
                headers: ["window (UTC)", "version"] + (segmentBy == nil ? [] : ["segment"]) + [
                    "rows", "requests", "refused", "labeled", "performance", "drifted", "data drift", "most missing",
                ])
            for window in report["windows"]?.arrayValue ?? [] {
                let version = window["version"]?.stringValue ?? "-"
                let segment = segmentBy.map { ["\($0)=\(window["segment"]?.stringValue ?? "-")"] } ?? []
                var performance = "-"
                if let figures = window["performance"] {
                    let trained = training[version] ?? [:]
                    let names =
                        figures["accuracy"] != nil ? ["accuracy", "f1_macro", "roc_auc"] : ["rmse", "mae", "r2"]
                    performance = names.compactMap { name in
                        guard let value = figures[name]?.doubleValue else { return nil }
                        let beside = trained[name].map { String(format: " (train %.4f)", $0) } ?? ""
                        return "\(name) \(String(format: "%.4f", value))\(beside)"
                    }.joined(separator: ", ")
                }
                if let estimated = window["estimated_performance"]?["accuracy"]?.doubleValue {
                    let text = "estimated accuracy \(String(format: "%.4f", estimated))"
                    performance = performance == "-" ? text : performance + ", " + text
                }
                var drifted = "-"
                var datasetDrift = "-"
                if let drift = window["drift"] {
                    let names = (drift["columns"]?.arrayValue ?? []).filter { $0["drift"] == .bool(true) }
                        .compactMap { $0["name"]?.stringValue }
                    drifted =
                        "\(drift["drifted_columns"]?.int64Value ?? 0)/\(drift["compared_columns"]?.int64Value ?? 0)"
                        + (names.isEmpty ? "" : " " + names.prefix(4).joined(separator: ","))
                    datasetDrift = drift["dataset_drift"] == .bool(true) ? "YES" : "no"
                }
                let missing = (window["missing_share"]?.objectFields ?? []).compactMap { entry in
                    entry.1.doubleValue.map { (entry.0, $0) }
                }.max { $0.1 < $1.1 }
                table.rows.append(
                    [formatTime(window["start"]?.int64Value), version] + segment + [
                        "\(window["rows"]?.int64Value ?? 0)",
                        "\(window["requests"]?.int64Value ?? 0)", "\(window["refused_requests"]?.int64Value ?? 0)",
                        "\(window["labeled_rows"]?.int64Value ?? 0)",
                        performance, drifted, datasetDrift,
                        missing.map { $0.1 > 0 ? "\($0.0) \(String(format: "%.3f", $0.1))" : "none" } ?? "-",
                    ])
            }
            var lines = [table.render(maxColumnWidth: 60), ""]
            lines.append(
                "\(report["segments"]?.int64Value ?? 0) segments read; replicas dropped "
                    + "\(report["dropped_requests"]?.int64Value ?? 0) requests; prediction column "
                    + "\(report["prediction"]?.stringValue ?? "-") (\(report["task"]?.stringValue ?? "-")); "
                    + (report["reference"] == .bool(true)
                        ? "compared with the stored reference" : "no reference stored (kaizen monitor reference)"))
            return lines.joined(separator: "\n")
        }

        /// Milliseconds in a duration: seconds, or a number followed by s, m, h or d.
        static func duration(_ text: String) throws -> Int64 {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            var number = Substring(text)
            var scale = 1.0
            if let last = text.last, let unit = units[last] {
                number = text.dropLast()
                scale = unit
            }
            guard let value = Double(number), value > 0, value * scale <= 366 * 86_400 else {
                throw ValidationError("'\(text)' is not a duration (seconds, or 15m, 1h, 1d, at most 366 days)")
            }
            return Int64((value * scale * 1000).rounded())
        }

        /// Epoch milliseconds for a time: milliseconds, an ISO date or date and time (UTC unless it says otherwise),
        /// or a duration before `now`.
        static func time(_ text: String, now: Int64) throws -> Int64 {
            if let millis = Int64(text), millis > 0 { return millis }
            if let ago = try? duration(text) { return now - ago }
            for format in ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "UTC")
                formatter.dateFormat = format
                if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
            }
            throw ValidationError(
                "'\(text)' is not a time: epoch milliseconds, 2026-12-01, 2026-12-01T10:00, or a duration ago (6h)")
        }
    }
}
