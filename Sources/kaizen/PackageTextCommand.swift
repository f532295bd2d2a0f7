import ArgumentParser
import Foundation
import KaizenCore
import KaizenONNX
import KaizenServing
import KaizenTokenizers
import Yams

/// `kaizen models package-text`: an MLflow model folder that serves an ONNX transformer text in, from the ONNX file,
/// its tokenizer files and its labels.
struct PackageTextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package-text",
        abstract: "Make a model folder that serves an ONNX text model (classifier or encoder) text in.",
        discussion: """
            The folder holds model.onnx, tokenizer.json and an MLmodel file (onnx and kaizen_text flavors, a text
            signature). Log it with mlflow.log_artifacts(folder, "model"), register runs:/<run>/model, and serve it
            with kaizen models serve -m models:/<name>@<alias>.
            """)

    @Option(help: "The ONNX model: input_ids (and attention_mask, token_type_ids) in, logits or hidden states out.")
    var onnx: String

    @Option(help: "A Hugging Face tokenizer.json.")
    var tokenizer: String?

    @Option(help: "Instead of --tokenizer: BERT's vocab.txt, or RoBERTa's vocab.json with --merges.")
    var vocab: String?

    @Option(help: "RoBERTa's merges.txt, with --vocab vocab.json.")
    var merges: String?

    @Flag(help: "With a vocab.txt: keep case (BERT cased models); lowercasing is the default.")
    var cased = false

    @Option(help: "The model's config.json: its id2label gives the labels, its pad_token_id the padding id.")
    var config: String?

    @Option(help: "The labels in id order, comma-separated (instead of config.json's id2label).")
    var labels: String?

    @Option(help: "text-classification (labels, score, probabilities) or feature-extraction (embeddings).")
    var task = "text-classification"

    @Option(help: "Feature extraction: pool token vectors by their mean or take the first token's (mean or cls).")
    var pooling = "mean"

    @Flag(help: "Feature extraction: scale embeddings to unit length.")
    var normalize = false

    @Option(help: "Classification: softmax, sigmoid or none on the logits.")
    var functionToApply = "softmax"

    @Option(help: "Tokens read per text, special tokens included; longer texts are cut.")
    var maxLength = 512

    @Option(help: "The request column that carries the texts.")
    var textColumn = "text"

    @Option(help: "The column of second texts, for a model of text pairs.")
    var pairColumn: String?

    @Option(name: [.customShort("o"), .long], help: "The model folder to write; it must not exist yet.")
    var output: String

    func run() async throws {
        let target = URL(fileURLWithPath: output)
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw ValidationError("\(output) exists already; name a new folder")
        }
        let tokenizerFile = try tokenizerJSON()
        let configuration = try config.map { try Self.readJSON($0, what: "config") }
        var flavor: [String: Any] = [
            "tokenizer": "tokenizer.json", "max_length": maxLength, "task": task, "text_column": textColumn,
        ]
        if let pairColumn { flavor["pair_column"] = pairColumn }
        if task == "text-classification" {
            flavor["labels"] = try labelList(configuration)
            flavor["function_to_apply"] = functionToApply
        } else {
            flavor["pooling"] = pooling
            flavor["normalize"] = normalize
        }
        if let padding = configuration?["pad_token_id"]?.int64Value { flavor["padding_id"] = Int(padding) }
        let settings: TextSettings
        do { settings = try TextSettings(flavor: flavor) } catch { throw ValidationError(error.message) }

        // Written beside the target and moved into place once it loads, so a failure leaves nothing behind.
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: partial)
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        do {
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: onnx), to: partial.appendingPathComponent("model.onnx"))
            try Data(tokenizerFile.serialized()).write(to: partial.appendingPathComponent("tokenizer.json"))
            try Data(Self.mlmodel(settings: settings).utf8).write(to: partial.appendingPathComponent("MLmodel"))
            let package = try ModelPackage(at: partial)
            let model = try ScoringModel(package: package, name: target.lastPathComponent, version: nil)
            try FileManager.default.moveItem(at: partial, to: target)
            print(
                "Wrote \(output): \(model.inputs.map(\.name).joined(separator: ", ")) in, "
                    + "\(model.outputs.map(\.name).joined(separator: ", ")) out")
        } catch {
            try? FileManager.default.removeItem(at: partial)
            if let error = error as? ServingError { throw ValidationError(error.message) }
            throw error
        }
    }

    /// The tokenizer as a `tokenizer.json` document, from whichever files were given; it must load.
    func tokenizerJSON() throws -> JSONValue {
        let json: JSONValue
        switch (tokenizer, vocab, merges) {
        case (let file?, nil, nil):
            json = try Self.readJSON(file, what: "tokenizer")
        case (nil, let vocabulary?, nil):
            let vocabularyBytes = try Self.read(vocabulary)
            json = try Self.tokenizerError { () throws(KaizenError) in
                try Tokenizer.wordPieceFile(vocabulary: vocabularyBytes, lowercase: !cased)
            }
        case (nil, let vocabulary?, let merges?):
            let vocabularyBytes = try Self.read(vocabulary)
            let mergesBytes = try Self.read(merges)
            json = try Self.tokenizerError { () throws(KaizenError) in
                try Tokenizer.bpeFile(vocabulary: vocabularyBytes, merges: mergesBytes)
            }
        default:
            throw ValidationError(
                "Give --tokenizer tokenizer.json, or --vocab vocab.txt, or --vocab vocab.json --merges merges.txt")
        }
        _ = try Self.tokenizerError { () throws(KaizenError) in try Tokenizer(json: json) }
        return json
    }

    /// The labels in id order: `--labels`, else config.json's `id2label` (ids 0 to n-1, each once).
    func labelList(_ configuration: JSONValue?) throws -> [String] {
        if let labels {
            let list = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("--labels is empty") }
            return list
        }
        guard let mapping = configuration?["id2label"]?.objectFields, !mapping.isEmpty else {
            throw ValidationError("A classifier needs its labels: --labels A,B or --config config.json with id2label")
        }
        var byID: [Int: String] = [:]
        for (key, value) in mapping {
            guard let id = Int(key), let label = value.stringValue else {
                throw ValidationError("config.json's id2label maps '\(key)' to \(value.jsonText); ids are numbers")
            }
            byID[id] = label
        }
        guard Set(byID.keys) == Set(0..<byID.count) else {
            throw ValidationError("config.json's id2label ids are not 0 to \(byID.count - 1)")
        }
        return (0..<byID.count).map { byID[$0]! }
    }

    /// The `MLmodel` file: the onnx flavor, the text settings, and a signature of text in and answers out.
    static func mlmodel(settings: TextSettings) throws -> String {
        var inputs: [JSONValue] = [
            .object([("type", "string"), ("name", .string(settings.textColumn)), ("required", true)])
        ]
        if let pair = settings.pairColumn {
            inputs.append(.object([("type", "string"), ("name", .string(pair)), ("required", true)]))
        }
        let outputs: [JSONValue] =
            switch settings.task {
            case .classification:
                [
                    .object([("type", "string"), ("name", "label"), ("required", true)]),
                    .object([("type", "float"), ("name", "score"), ("required", true)]),
                    .object([
                        ("type", "array"), ("items", .object([("type", "float")])), ("name", "probabilities"),
                        ("required", true),
                    ]),
                ]
            case .embedding:
                [
                    .object([
                        ("type", "array"), ("items", .object([("type", "float")])), ("name", "embedding"),
                        ("required", true),
                    ])
                ]
            }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let document: [String: Any] = [
            "flavors": [
                "onnx": ["data": "model.onnx"],
                "kaizen_text": settings.flavor,
            ],
            "model_uuid": UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
            "signature": [
                "inputs": JSONValue.array(inputs).jsonText, "outputs": JSONValue.array(outputs).jsonText,
            ],
            "utc_time_created": formatter.string(from: Date()),
        ]
        return try Yams.dump(object: document, sortKeys: true)
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("Cannot read \(path)")
        }
        return [UInt8](data)
    }

    static func readJSON(_ path: String, what: String) throws -> JSONValue {
        do { return try JSONValue(parsing: try read(path)) } catch let error as ValidationError { throw error } catch {
            throw ValidationError("The \(what) file \(path) is not valid JSON: \(error)")
        }
    }

    static func tokenizerError<T>(_ body: () throws(KaizenError) -> T) throws -> T {
        do { return try body() } catch { throw ValidationError("The tokenizer does not load: \(error.message)") }
    }
}
