import ArgumentParser
import Foundation
import KaizenCore
import KaizenTokenizers

/// `kaizen tokenize`: texts through a Hugging Face `tokenizer.json`, as a model would receive them.
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize texts with a Hugging Face tokenizer.json, as the tokenizers library does.",
        discussion: """
            Reads one text per line of FILE (or standard input), or with --jsonl one JSON string per line, and prints \
            one JSON object per text: ids, type_ids, attention_mask, offsets (in Unicode scalars) and tokens. \
            --bench prints texts per second over the file instead, on one thread.
            """)

    @Option(help: "The tokenizer.json file.")
    var tokenizer: String

    @Argument(help: "A file of texts (standard input when absent).")
    var file: String?

    @Flag(help: "Each line is a JSON string (texts with line breaks).")
    var jsonl = false

    @Option(help: "With --bench: seconds to spend tokenizing the file again and again.")
    var seconds: Double = 3

    @Flag(help: "Measure throughput instead of printing the encodings.")
    var bench = false

    func run() async throws {
        let definition = try Data(contentsOf: URL(fileURLWithPath: tokenizer))
        let tokenizer = try Tokenizer(parsing: definition)
        let input =
            try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
            ?? FileHandle.standardInput.readDataToEndOfFile()
        let lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var texts: [String] = []
        for (number, line) in lines.enumerated() where !(line.isEmpty && number == lines.count - 1) {
            if jsonl {
                guard let text = (try? JSONValue(parsing: Array(line.utf8)))?.stringValue else {
                    throw ValidationError("Line \(number + 1) is not a JSON string")
                }
                texts.append(text)
            } else {
                texts.append(String(line))
            }
        }
        if bench {
            guard seconds > 0, !texts.isEmpty else {
                throw ValidationError("--bench needs texts and --seconds above 0")
            }
            var encoded = 0
            var tokens = 0
            let started = ContinuousClock.now
            let deadline = started + .milliseconds(Int(seconds * 1000))
            repeat {
                for text in texts { tokens += tokenizer.encode(text).count }
                encoded += texts.count
            } while ContinuousClock.now < deadline
            let elapsed = (ContinuousClock.now - started).seconds
            let report: [String: Any] = [
                "texts": encoded, "tokens": tokens, "seconds": elapsed,
                "texts_per_second": Double(encoded) / elapsed,
            ]
            let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: json, as: UTF8.self))
            return
        }
        for text in texts {
            let encoding = tokenizer.encode(text)
            let line = JSONValue.object([
                ("ids", .array(encoding.ids.map { .integer(Int64($0)) })),
                ("type_ids", .array(encoding.typeIDs.map { .integer(Int64($0)) })),
                ("attention_mask", .array(encoding.attentionMask.map { .integer(Int64($0)) })),
                ("offsets", .array(encoding.offsets.map { [.integer(Int64($0.start)), .integer(Int64($0.end))] })),
                ("tokens", .array(encoding.tokens.map(JSONValue.string))),
            ])
            print(String(decoding: line.serialized(), as: UTF8.self))
        }
    }
}
