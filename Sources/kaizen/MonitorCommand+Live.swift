import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
import KaizenMonitoring

extension MonitorCommand {
    /// `kaizen monitor reference ENDPOINT FILE`: the data an endpoint's traffic is compared with.
    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the reference data an endpoint's logged traffic is compared with (CSV or JSON lines).",
            discussion: """
                The file is sent to the tracking server, which reads and profiles it before keeping it (a file it \
                cannot read is refused and the previous reference stays). Its columns are matched by name with the \
                logged inputs and outputs (outputs are logged as output.<name>).
                """)

        @Argument(help: "The endpoint (or inference-log name).")
        var endpoint: String

        @Argument(help: "The data file: CSV, or JSON lines for .jsonl/.ndjson.")
        var file: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw ValidationError("Cannot read \(file): \(error.localizedDescription)")
            }
            let format = MonitorService.DataFormat(fileName: file)
            let answer = try await options.client().upload(
                "monitor/reference", namespace: "kaizen", query: [("endpoint", endpoint), ("format", format.rawValue)],
                body: [UInt8](data), contentType: format == .csv ? "text/csv" : "application/x-ndjson")
            let rows = answer["rows"]?.int64Value ?? 0
            let columns = answer["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
            print("Reference for \(endpoint): \(rows) rows, columns \(columns.joined(separator: ", "))")
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
                        : value == value.rounded() && abs(value) < 9e15 ? .integer(Int64(value)) : .double(value)
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
