import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
import KaizenMonitoring

extension MonitorCommand {
    /// `kaizen monitor reference ENDPOINT FILE`: the data an endpoint's traffic is compared with.
    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the reference data an endpoint's logged traffic is compared with.",
            discussion: """
                The reference is a data file (CSV, or JSON lines for .jsonl/.ndjson), an artifact of a run \
                (--from runs:/<run_id>/path/train.csv, such as the model's training data), or a window of the \
                traffic an endpoint logged (--window 2026-12-01/2026-12-02, of --source, default this endpoint). The \
                tracking server reads and profiles it once and keeps the profile (data it cannot read is refused and \
                the previous reference stays). Columns are matched by name with the logged inputs and outputs \
                (outputs are logged as output.<name>).
                """)

        @Argument(help: "The endpoint (or inference-log name).")
        var endpoint: String

        @Argument(help: "The data file: CSV, or JSON lines for .jsonl/.ndjson.")
        var file: String?

        @Option(help: "A run's artifact as the reference: runs:/<run_id>/<path>.")
        var from: String?

        @Option(help: "A window of logged traffic as the reference: START/END (times as kaizen monitor report takes).")
        var window: String?

        @Option(help: "With --window: the endpoint whose traffic is taken (default: this one).")
        var source: String?

        @OptionGroup var options: ClientOptions

        func validate() throws {
            guard [file != nil, from != nil, window != nil].filter({ $0 }).count == 1 else {
                throw ValidationError("Give one reference: a FILE, --from runs:/<run_id>/<path>, or --window START/END")
            }
            if let window { _ = try Self.range(window, now: 0) }
        }

        /// START/END as epoch milliseconds.
        static func range(_ text: String, now: Int64) throws -> (Int64, Int64) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--window takes START/END, not '\(text)'") }
            return (try Report.time(parts[0], now: now), try Report.time(parts[1], now: now))
        }

        func run() async throws {
            let client = try options.client()
            let answer: JSONValue
            if let window {
                let (start, end) = try Self.range(window, now: currentTimeMillis())
                answer = try await client.call(
                    "monitor/reference/from-log", namespace: "kaizen",
                    post: .object([
                        ("endpoint", .string(endpoint)), ("source_endpoint", .string(source ?? endpoint)),
                        ("from", .integer(start)), ("to", .integer(end)),
                    ]))
            } else {
                let name: String
                let bytes: [UInt8]
                if let from {
                    (name, bytes) = try await client.runArtifact(from, limit: MonitorService.maximumReferenceBytes)
                } else {
                    let path = file ?? ""
                    do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                        throw ValidationError("Cannot read \(path): \(error.localizedDescription)")
                    }
                    name = path
                }
                let format = MonitorService.DataFormat(fileName: name)
                answer = try await client.upload(
                    "monitor/reference", namespace: "kaizen",
                    query: [("endpoint", endpoint), ("format", format.rawValue)], body: bytes,
                    contentType: format == .csv ? "text/csv" : "application/x-ndjson")
            }
            let rows = answer["rows"]?.int64Value ?? 0
            let columns = answer["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
            print("Reference for \(endpoint): \(rows) rows, columns \(columns.joined(separator: ", "))")
            if let labelled = answer["labelled_rows"]?.int64Value, labelled > 0 {
                print("Reference for estimated accuracy: \(labelled) labelled rows")
            }
        }
    }

    /// `kaizen monitor feedback ENDPOINT FILE`: true labels for logged requests.
    struct Feedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send true labels for logged requests, from a CSV or JSON-lines file.",
            discussion: """
                Each row names a request by the X-Request-Id its answer carried, and gives its label (a class or a \
                value); --row-column names the row within a request of several rows (default: row 0). Labels are \
                sent in batches of 5000; a label sent again for the same request and row replaces the earlier one.
                """)

        @Argument(help: "The endpoint (or inference-log name).")
        var endpoint: String

        @Argument(help: "The labels file: CSV, or JSON lines for .jsonl/.ndjson.")
        var file: String

        @Option(help: "The column of request ids.")
        var idColumn = "request_id"

        @Option(help: "The column of labels.")
        var labelColumn = "label"

        @Option(help: "The column of row numbers within a request (optional).")
        var rowColumn: String?

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let table = try DriftFiles.table(at: file)
            guard let ids = table[idColumn] else { throw ValidationError("\(file) has no column '\(idColumn)'") }
            guard let labels = table[labelColumn] else {
                throw ValidationError("\(file) has no column '\(labelColumn)'")
            }
            let rowNumbers = try rowColumn.map { name in
                guard let column = table[name] else { throw ValidationError("\(file) has no column '\(name)'") }
                return column
            }
            var items: [JSONValue] = []
            for row in 0..<table.rowCount {
                guard let id = ids.text(at: row) else {
                    throw ValidationError("Row \(row + 1) of \(file) has no request id")
                }
                let label: JSONValue
                switch labels.values {
                case .numbers(let values, _, let boolean):
                    guard !values[row].isNaN else { throw ValidationError("Row \(row + 1) of \(file) has no label") }
                    let value = values[row]
                    label =
                        boolean
                        ? .bool(value == 1)
                        : value.wholeNumber.map(JSONValue.integer) ?? .double(value)
                case .labels:
                    guard let text = labels.text(at: row) else {
                        throw ValidationError("Row \(row + 1) of \(file) has no label")
                    }
                    label = .string(text)
                }
                var fields: [(String, JSONValue)] = [("request_id", .string(id)), ("label", label)]
                if let rowNumbers {
                    guard let number = rowNumbers.number(at: row), number >= 0, number == number.rounded() else {
                        throw ValidationError("Row \(row + 1) of \(file) has no whole row number")
                    }
                    fields.append(("row", .integer(Int64(number))))
                }
                items.append(.object(fields))
            }
            let client = try options.client()
            var accepted: Int64 = 0
            var start = 0
            while start < items.count {
                let batch = Array(items[start..<min(start + 5000, items.count)])
                start += batch.count
                let answer = try await client.call(
                    "monitor/feedback", namespace: "kaizen",
                    post: .object([("endpoint", .string(endpoint)), ("feedback", .array(batch))]))
                accepted += answer["accepted"]?.int64Value ?? 0
            }
            print("Sent \(accepted) labels for \(endpoint)")
        }
    }
}
