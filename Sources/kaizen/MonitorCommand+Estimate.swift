public import ArgumentParser
import Foundation
import KaizenCore
public import KaizenMonitoring

extension MonitorCommand {
    /// `kaizen monitor estimate`: a classifier's performance on data without targets, as NannyML's CBPE estimates it.
    struct Estimate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate a classifier's performance per chunk of new data from its predicted probabilities.",
            discussion: """
                Confidence-based performance estimation as NannyML 0.13.1's CBPE computes it. The reference file \
                needs targets; the analysis file may have them, and then realized values are reported beside the \
                estimates. Binary: give --y-pred-proba once with the column of P(class 1); y-pred and y-true hold \
                0 or 1. Multiclass (3 classes or more): give --y-pred-proba CLASS=COLUMN once per class; y-pred and \
                y-true hold the class labels. Rows are cut into chunks of --chunk-size rows (default: a tenth of \
                each file's rows), the remainder forming a last, smaller chunk. Metrics: \
                \(PerformanceMetric.allCases.map(\.rawValue).joined(separator: ", ")). Exits 0, or 3 with \
                --fail-on-alert when an estimate leaves its thresholds.
                """)

        @Option(help: "The reference data file (CSV, or JSON lines for .jsonl/.ndjson), with targets.")
        var reference: String

        @Option(help: "The analysis data file.")
        var analysis: String

        @Option(
            name: .customLong("y-pred-proba"),
            help: "Binary: the column of P(class 1). Multiclass: CLASS=COLUMN, once per class.")
        var yPredProba: [String] = []

        @Option(name: .customLong("y-pred"), help: "The column of predicted classes.")
        var yPred: String

        @Option(name: .customLong("y-true"), help: "The column of true classes.")
        var yTrue: String

        @Option(help: "Rows per chunk (default: a tenth of each file's rows).")
        var chunkSize: Int?

        @Option(help: "Metrics to estimate, comma-separated (default: all).")
        var metrics: String?

        @Option(help: "Calibrate probabilities: auto (as NannyML decides), on or off.")
        var calibration: PerformanceEstimator.CalibrationChoice = .automatic

        @Flag(help: "Print the estimate as JSON.")
        var json = false

        @Flag(help: "Exit with status 3 when an estimate leaves its thresholds.")
        var failOnAlert = false

        func validate() throws {
            if let chunkSize, chunkSize < 1 { throw ValidationError("--chunk-size must be at least 1") }
            _ = try columns()
            _ = try options()
        }

        func columns() throws -> ClassifierOutputs.Columns {
            guard !yPredProba.isEmpty else { throw ValidationError("--y-pred-proba is required") }
            let pairs = yPredProba.map { entry -> (String, String)? in
                guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { return nil }
                return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
            }
            if yPredProba.count == 1, pairs[0] == nil {
                return .init(probabilities: .binary(yPredProba[0]), prediction: yPred, target: yTrue)
            }
            var classColumns: [ClassifierOutputs.Columns.ClassColumn] = []
            for (entry, pair) in zip(yPredProba, pairs) {
                guard let (label, column) = pair, !column.isEmpty else {
                    throw ValidationError("multiclass --y-pred-proba takes CLASS=COLUMN, not '\(entry)'")
                }
                classColumns.append(.init(label: label, column: column))
            }
            guard Set(classColumns.map(\.label)).count == classColumns.count else {
                throw ValidationError("each class may have one --y-pred-proba")
            }
            return .init(probabilities: .multiclass(classColumns), prediction: yPred, target: yTrue)
        }

        func options() throws -> PerformanceEstimator.Options {
            var options = PerformanceEstimator.Options(calibration: calibration)
            if let chunkSize { options.chunking = .size(chunkSize) }
            if let metrics {
                options.metrics = try metrics.split(separator: ",").map { name in
                    let trimmed = name.trimmingCharacters(in: .whitespaces)
                    guard let metric = PerformanceMetric(rawValue: trimmed) else {
                        throw ValidationError(
                            "Unknown metric '\(trimmed)'; choose from "
                                + PerformanceMetric.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    return metric
                }
            }
            return options
        }

        func run() async throws {
            let columns = try columns()
            do {
                let reference = try ClassifierOutputs(table: try DriftFiles.table(at: reference), columns: columns)
                let analysis = try ClassifierOutputs(table: try DriftFiles.table(at: analysis), columns: columns)
                let estimator = try PerformanceEstimator(reference: reference, options: try options())
                let estimate = try estimator.estimate(analysis)
                print(json ? estimate.json.jsonText : Self.text(estimate))
                let alerted = estimate.chunks.contains { $0.metrics.contains(where: \.alert) }
                if failOnAlert && alerted { throw ExitCode(3) }
            } catch let error as KaizenError {
                // Bad data, not bad usage: say what is wrong without the usage text.
                FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
                throw ExitCode(2)
            }
        }

        static func text(_ estimate: PerformanceEstimate) -> String {
            var lines: [String] = []
            for column in estimate.calibration {
                let how = column.check.map { $0.shortcut?.rawValue ?? "expected calibration error" } ?? "option"
                lines.append("class \(column.label): \(column.isCalibrated ? "calibrated" : "not calibrated") (\(how))")
            }
            let header = ["chunk", "metric", "estimated", "realized", "band", "thresholds", "alert"]
            var rows: [[String]] = [header]
            for chunk in estimate.chunks {
                for record in chunk.metrics {
                    rows.append([
                        chunk.key, record.metric.rawValue, format(record.estimated), format(record.realized),
                        "\(format(record.lowerBound))–\(format(record.upperBound))",
                        "\(format(record.lowerThreshold))–\(format(record.upperThreshold))",
                        record.alert ? "ALERT" : "",
                    ])
                }
            }
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(
                    zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                        .joined(separator: "  "))
            }
            return lines.joined(separator: "\n")
        }

        static func format(_ value: Double) -> String {
            value.isFinite ? String(format: "%.4f", value) : "-"
        }
    }
}

extension PerformanceEstimator.CalibrationChoice: ExpressibleByArgument {}
