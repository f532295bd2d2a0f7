public import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
public import KaizenMonitoring

/// `kaizen monitor ...`: drift and data quality.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Data drift and data quality against a reference; estimated performance of classifiers.",
        subcommands: [Drift.self, Estimate.self, Reference.self, Feedback.self, Report.self])

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two data files (CSV, or JSON lines for .jsonl/.ndjson) column by column.",
            discussion: """
                Each column of the current file that the reference also has gets a drift method as Evidently's \
                DataDriftPreset chooses it (K-S for numbers when the reference has at most 1000 values, normed \
                Wasserstein beyond; chi-square or Z-test, then Jensen-Shannon, for categories and columns with \
                few values), or the method given. Methods: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")). \
                The data set drifts when at least --drift-share of the compared columns drift. Exits 0, or 3 with \
                --fail-on-drift when the data set drifted.
                """)

        @Option(help: "The reference data file.")
        var reference: String

        @Option(help: "The current data file.")
        var current: String

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Option(help: "Also write the report as a self-contained HTML page to this file.")
        var html: String?

        @Option(help: "Share of compared columns that must drift for the data set to drift.")
        var driftShare = 0.5

        @Option(help: "Method for every column.")
        var method: DriftMethod?

        @Option(help: "Method for numerical columns.")
        var numMethod: DriftMethod?

        @Option(help: "Method for categorical columns.")
        var catMethod: DriftMethod?

        @Option(help: "Method for one column, as COLUMN=METHOD (repeatable).")
        var columnMethod: [String] = []

        @Option(help: "Threshold for every column.")
        var threshold: Double?

        @Option(help: "Threshold for numerical columns.")
        var numThreshold: Double?

        @Option(help: "Threshold for categorical columns.")
        var catThreshold: Double?

        @Option(help: "Threshold for one column, as COLUMN=VALUE (repeatable).")
        var columnThreshold: [String] = []

        @Option(help: "Compare only these columns (comma-separated).")
        var columns: String?

        @Option(help: "Megabytes of column values held at once: CSV files are read in passes over groups of columns.")
        var memory = 128

        @Option(
            help: ArgumentHelp(
                "A column of the current data whose values split it into segments (at most 100), each compared with "
                    + "the whole reference.",
                valueName: "column"))
        var segmentBy: String?

        @Flag(help: "Exit with status 3 when the data set drifted (with --segment-by: in any segment).")
        var failOnDrift = false

        func validate() throws {
            guard driftShare > 0, driftShare <= 1 else {
                throw ValidationError("--drift-share must be above 0 and at most 1")
            }
            guard memory > 0 else { throw ValidationError("--memory must be positive") }
            _ = try options()
        }

        func options() throws -> DriftOptions {
            var options = DriftOptions()
            options.driftShare = driftShare
            options.method = method
            options.numericalMethod = numMethod
            options.categoricalMethod = catMethod
            options.threshold = threshold
            options.numericalThreshold = numThreshold
            options.categoricalThreshold = catThreshold
            for entry in columnMethod {
                let (column, value) = try Self.pair(entry, option: "--column-method")
                guard let method = DriftMethod(rawValue: value) else {
                    throw ValidationError("Unknown drift method '\(value)' in --column-method \(entry)")
                }
                options.columnMethods[column] = method
            }
            for entry in columnThreshold {
                let (column, value) = try Self.pair(entry, option: "--column-threshold")
                guard let threshold = Double(value), threshold.isFinite else {
                    throw ValidationError("The threshold in --column-threshold \(entry) is not a number")
                }
                options.columnThresholds[column] = threshold
            }
            if let columns {
                options.columns = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            return options
        }

        static func pair(_ entry: String, option: String) throws -> (String, String) {
            guard let equals = entry.lastIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("\(option) takes COLUMN=VALUE, not '\(entry)'")
            }
            return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }

        func run() async throws {
            let options = try options()
            let started = ContinuousClock.now
            if let segmentBy {
                let segmented = try SegmentedDriftReport(
                    reference: reference, current: current, segmentBy: segmentBy, options: options)
                let elapsed = ContinuousClock.now - started
                let parts = segmented.segments.map { segment, report in
                    "── \(segmentBy) = \(segment)\n" + Self.text(report, elapsed: nil)
                }
                try emit(
                    page: segmented.html(reference: reference, current: current), json: segmented.json,
                    text: parts.joined(separator: "\n\n") + "\n\n" + Self.elapsed(elapsed), drifted: segmented.anyDrift)
                return
            }
            let report = try DriftFiles.report(
                reference: reference, current: current, options: options, memoryBudget: memory << 20)
            let elapsed = ContinuousClock.now - started
            try emit(
                page: report.html(reference: reference, current: current), json: report.json,
                text: Self.text(report, elapsed: elapsed), drifted: report.datasetDrift)
        }

        /// Writes the HTML page when asked, prints the JSON or the text, and fails with 3 on drift when asked.
        func emit(page: @autoclosure () -> String, json value: JSONValue, text: String, drifted: Bool) throws {
            if let html { try Data(page().utf8).write(to: URL(fileURLWithPath: html)) }
            print(json ? String(decoding: value.serialized(), as: UTF8.self) : text)
            if failOnDrift && drifted { throw ExitCode(3) }
        }

        static func elapsed(_ elapsed: Duration) -> String {
            String(
                format: "%.2f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }

        static func text(_ report: DriftReport, elapsed: Duration?) -> String {
            var table = TextTable(headers: ["column", "type", "method", "score", "threshold", "drift", "missing"])
            for column in report.columns {
                let missing = column.quality.map { String(format: "%.3f", $0.missingShare) } ?? "-"
                if let method = column.method, let score = column.score, let threshold = column.threshold {
                    table.rows.append([
                        column.name, column.kind.rawValue, method.rawValue, String(format: "%.6g", score),
                        String(format: "%g", threshold), column.drifted ? "DRIFT" : "no", missing,
                    ])
                } else {
                    table.rows.append([
                        column.name, column.kind.rawValue, "-", "-", "-", column.note ?? "not compared", missing,
                    ])
                }
            }
            var lines = [table.render(maxColumnWidth: 72), ""]
            lines.append(
                "Data set drift: \(report.datasetDrift ? "YES" : "no") (\(report.driftedCount) of "
                    + "\(report.comparedCount) columns drifted; threshold share \(report.driftShare))")
            if !report.missingFromCurrent.isEmpty {
                lines.append("Columns missing from current data: \(report.missingFromCurrent.joined(separator: ", "))")
            }
            if !report.notInReference.isEmpty {
                lines.append("Columns not in the reference: \(report.notInReference.joined(separator: ", "))")
            }
            lines.append(
                "Reference \(report.referenceRows) rows, current \(report.currentRows) rows"
                    + (elapsed.map { ", " + Self.elapsed($0) } ?? ""))
            return lines.joined(separator: "\n")
        }
    }
}

extension DriftMethod: ExpressibleByArgument {}
