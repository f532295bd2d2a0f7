import ArgumentParser
import Foundation
import KaizenClient
import KaizenONNX
import KaizenServing

/// `kaizen models predict`: batch scoring of a CSV or JSON-lines file, streamed in batches.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a CSV (with a header) or JSON-lines file with a model, streaming.")

    @OptionGroup var source: ModelSourceOptions

    @Option(
        name: [.customShort("i"), .long],
        help: "Input file: .csv with a header row, or .jsonl with one record per line.")
    var input: String

    @Option(name: [.customShort("o"), .long], help: "Output file (.csv or .jsonl); standard output when left out.")
    var output: String?

    @Option(help: "Input format when the extension does not tell: csv or jsonl.")
    var format: String?

    @Option(help: "Rows per engine call.")
    var batchSize = 4096

    @Option(help: "Threads one engine call may use; default: every core.")
    var threads: Int?

    func run() async throws {
        IntraOpThreads.set(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let inputFormat = try Self.format(of: input, explicit: format)
        let outputFormat = try output.map { try Self.format(of: $0, explicit: nil) } ?? inputFormat
        guard let reader = FileHandle(forReadingAtPath: input) else {
            throw ValidationError("Cannot read \(input)")
        }
        let locator = try source.locator()
        let model = try await ModelSourceOptions.load(try await locator.locate(try source.reference()), with: locator)
        let writer: FileHandle
        var temporary: URL?
        if let output {
            // Write beside the target and move into place at the end, so a failure leaves no partial output.
            let target = URL(fileURLWithPath: output)
            let partial = target.deletingLastPathComponent().appendingPathComponent(
                ".\(target.lastPathComponent).partial")
            guard FileManager.default.createFile(atPath: partial.path, contents: nil),
                let handle = FileHandle(forWritingAtPath: partial.path)
            else { throw ValidationError("Cannot write \(output)") }
            writer = handle
            temporary = partial
        } else {
            writer = FileHandle.standardOutput
        }
        let total = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
        let progress = isatty(STDERR_FILENO) == 1 && output != nil
        var scorer = BatchScorer(model: model, input: inputFormat, output: outputFormat, batchSize: batchSize)
        var read = 0
        do {
            while let chunk = try reader.read(upToCount: 1 << 20), !chunk.isEmpty {
                read += chunk.count
                let scored = try await scorer.consume(chunk)
                if !scored.isEmpty { try writer.write(contentsOf: scored) }
                if progress { Self.showProgress(read: read, total: total, rows: scorer.rowsScored) }
            }
            try writer.write(contentsOf: await scorer.finish())
            try writer.close()
            if let temporary, let output {
                _ = try? FileManager.default.removeItem(atPath: output)
                try FileManager.default.moveItem(atPath: temporary.path, toPath: output)
            }
        } catch {
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            if progress { FileHandle.standardError.write(Data("\n".utf8)) }
            throw error
        }
        if progress { Self.showProgress(read: read, total: total, rows: scorer.rowsScored) }
        if output != nil {
            FileHandle.standardError.write(Data("\(progress ? "\n" : "")Scored \(scorer.rowsScored) rows\n".utf8))
        }
    }

    static func format(of path: String, explicit: String?) throws -> BatchScorer.Format {
        if let explicit {
            guard let format = BatchScorer.Format(rawValue: explicit.lowercased()) else {
                throw ValidationError("--format must be csv or jsonl")
            }
            return format
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson", "json": return .jsonl
        default: throw ValidationError("Cannot tell the format of \(path); name it .csv or .jsonl, or pass --format")
        }
    }

    static func showProgress(read: Int, total: Int, rows: Int) {
        let width = 30
        let fraction = total > 0 ? min(1, Double(read) / Double(total)) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(format: "\r[%@] %3.0f%%  %d rows", bar, fraction * 100, rows)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
