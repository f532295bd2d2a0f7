import Foundation
import KaizenCore
import KaizenONNX
import KaizenTokenizers
import Testing

@testable import KaizenServing

/// The fixtures text serving is tested on.
enum TextFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".fixtures")

    static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("text/sentiment/expected.jsonl").path)
            && FileManager.default.fileExists(
                atPath: root.appendingPathComponent("onnx/encoders/minilm_opset14/model.onnx").path)
    }

    static let missing: Comment = "needs .fixtures/text and .fixtures/onnx: run make text-fixtures onnx-fixtures"
}

/// Text models served text in: the sentiment classifier of `make text-fixtures` (RoBERTa's structure, its tokenizer
/// from `vocab.json` and `merges.txt`) answers every request form with onnxruntime's probabilities on the `tokenizers`
/// library's ids; MiniLM served as an encoder gives sentence-transformers' embeddings; bad texts and bad packages get
/// clear errors.
@Suite(.enabled(if: TextFixtures.available, TextFixtures.missing))
struct TextServingTests {
    static let fixtures = TextFixtures.root
    static let sentiment = fixtures.appendingPathComponent("text/sentiment")

    /// A model folder: `files` copied in under their names, `tokenizer` written as tokenizer.json, and an MLmodel
    /// with the onnx flavor and `textFlavor` as the kaizen_text flavor's YAML lines.
    static func package(
        model: URL, tokenizer: JSONValue, textFlavor: String
    ) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: model, to: folder.appendingPathComponent("model.onnx"))
        try Data(tokenizer.serialized()).write(to: folder.appendingPathComponent("tokenizer.json"))
        let mlmodel = "flavors:\n  onnx:\n    data: model.onnx\n  kaizen_text:\n" + textFlavor
        try Data(mlmodel.utf8).write(to: folder.appendingPathComponent("MLmodel"))
        return folder
    }

    static func sentimentTokenizer() throws -> JSONValue {
        try Tokenizer.bpeFile(
            vocabulary: try Data(contentsOf: sentiment.appendingPathComponent("vocab.json")),
            merges: try Data(contentsOf: sentiment.appendingPathComponent("merges.txt")))
    }

    static let sentimentFlavor = """
            tokenizer: tokenizer.json
            max_length: 128
            task: text-classification
            labels: [NEGATIVE, POSITIVE]
            max_text_bytes: 4096

        """

    static func sentimentModel(flavor: String = sentimentFlavor) throws -> ScoringModel {
        let folder = try package(
            model: sentiment.appendingPathComponent("model.onnx"), tokenizer: try sentimentTokenizer(),
            textFlavor: flavor)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try ScoringModel(package: try ModelPackage(at: folder), name: "sentiment", version: "1")
    }

    /// The texts of `expected.jsonl` with onnxruntime's labels and probabilities.
    static func expected() throws -> [(text: String, label: String, probabilities: [Double])] {
        try String(contentsOf: sentiment.appendingPathComponent("expected.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                let value = try JSONValue(parsing: Array(line.utf8))
                return (
                    value["text"]?.stringValue ?? "", value["label"]?.stringValue ?? "",
                    value["probabilities"]?.arrayValue?.compactMap(\.doubleValue) ?? []
                )
            }
    }

    static func text(_ value: String) -> String { JSONValue.string(value).jsonText }

    static func predictions(_ model: ScoringModel, _ body: String) async throws -> JSONValue {
        let prediction = try await ScoringService(model: model).predict(try ScoringRequest.parseJSON(Array(body.utf8)))
        return try #require(try JSONValue(parsing: prediction.json())["predictions"])
    }

    static func expectClose(
        _ records: [(label: String?, probabilities: [Double])],
        _ expected: [(text: String, label: String, probabilities: [Double])],
        _ form: String
    ) {
        #expect(records.count == expected.count, "\(form)")
        for (record, truth) in zip(records, expected) {
            #expect(record.label == truth.label, "\(form): \(truth.text.prefix(40))")
            let gap = zip(record.probabilities, truth.probabilities).map { abs($0 - $1) }.max() ?? 1
            #expect(record.probabilities.count == 2 && gap < 1e-4, "\(form): \(truth.text.prefix(40)) off by \(gap)")
        }
    }

    @Test func everyRequestFormGetsOnnxruntimesProbabilities() async throws {
        let model = try Self.sentimentModel()
        let all = try Self.expected()
        #expect(all.count > 20)

        func records(_ value: JSONValue) -> [(label: String?, probabilities: [Double])] {
            (value.arrayValue ?? []).map {
                ($0["label"]?.stringValue, $0["probabilities"]?.arrayValue?.compactMap(\.doubleValue) ?? [])
            }
        }
        func columns(_ value: JSONValue) -> [(label: String?, probabilities: [Double])] {
            let labels = value["label"]?.arrayValue ?? []
            let probabilities = value["probabilities"]?.arrayValue ?? []
            return zip(labels, probabilities).map { ($0.stringValue, $1.arrayValue?.compactMap(\.doubleValue) ?? []) }
        }
        let rows = all.map { "[\(Self.text($0.text))]" }.joined(separator: ", ")
        let split = try await Self.predictions(
            model, "{\"dataframe_split\": {\"columns\": [\"text\"], \"data\": [\(rows)]}}")
        Self.expectClose(records(split), all, "dataframe_split")
        let recordsBody = all.map { "{\"text\": \(Self.text($0.text)), \"extra\": 1}" }.joined(separator: ", ")
        Self.expectClose(
            records(try await Self.predictions(model, "{\"dataframe_records\": [\(recordsBody)]}")), all,
            "dataframe_records")
        // The other forms on a few texts (a debug build's engine is slow).
        let expected = Array(all.prefix(6))
        let texts = expected.map { Self.text($0.text) }.joined(separator: ", ")
        Self.expectClose(
            columns(try await Self.predictions(model, "{\"inputs\": [\(texts)]}")), expected, "inputs list")
        Self.expectClose(
            columns(try await Self.predictions(model, "{\"instances\": [\(texts)]}")), expected, "instances list")
        Self.expectClose(
            records(try await Self.predictions(model, "{\"inputs\": {\"text\": [\(texts)]}}")), expected,
            "inputs dict")
        let single = try await Self.predictions(model, "{\"inputs\": {\"text\": \(Self.text(expected[0].text))}}")
        Self.expectClose(records(single), [expected[0]], "one text")
        // Scores are the winning label's probability.
        let first = try #require(records(split).first)
        let score = try #require(split.arrayValue?.first?["score"]?.doubleValue)
        #expect(abs(score - (first.probabilities.max() ?? 0)) < 1e-7)

        // The Open Inference Protocol: a BYTES tensor in, label (BYTES), score and probabilities (FP32) out.
        let header = try JSONValue(
            parsing: Array(
                "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [\(expected.count), 1], \"data\": [\(texts)]}]}"
                    .utf8))
        let response = try await ScoringService(model: model).infer(header, name: "sentiment", version: nil)
        let outputs = response.header["outputs"]?.arrayValue ?? []
        #expect(outputs.map { $0["name"]?.stringValue } == ["label", "score", "probabilities"])
        #expect(outputs.map { $0["datatype"]?.stringValue } == ["BYTES", "FP32", "FP32"])
        let labels = outputs[0]["data"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let flat = outputs[2]["data"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        Self.expectClose(
            labels.indices.map { (labels[$0], Array(flat[($0 * 2)..<($0 * 2 + 2)])) }, expected, "open inference")
        let metadata = OpenInference.metadata(of: model)
        #expect(metadata["inputs"]?.arrayValue?.first?["datatype"]?.stringValue == "BYTES")
    }

    @Test func aFileOfTextsIsScoredInBatches() async throws {
        let model = try Self.sentimentModel()
        let expected = try Self.expected()
        var scorer = BatchScorer(model: model, input: .jsonl, output: .csv, batchSize: 7)
        var out: [UInt8] = []
        for truth in expected { out += try await scorer.consume(Array("{\"text\": \(Self.text(truth.text))}\n".utf8)) }
        out += try await scorer.finish()
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "label,score,probabilities_0,probabilities_1")
        #expect(lines.dropFirst().map { String($0.split(separator: ",")[0]) } == expected.map(\.label))
    }

    @Test func badTextsGetClearErrors() async throws {
        let model = try Self.sentimentModel()
        func refusal(_ body: String) async -> ServingError? {
            do {
                _ = try await Self.predictions(model, body)
                return nil
            } catch {
                return error as? ServingError
            }
        }
        let number = await refusal("{\"dataframe_split\": {\"columns\": [\"text\"], \"data\": [[\"fine\"], [42]]}}")
        #expect(number?.status == 400)
        #expect(number?.message.contains("Failed to convert column text to type 'str'") == true)
        let tensorNumber = await refusal("{\"inputs\": [\"fine\", 3.5]}")
        #expect(tensorNumber?.status == 400)
        let long = String(repeating: "a", count: 5000)
        let tooLong = await refusal("{\"inputs\": [\"ok\", \"\(long)\"]}")
        #expect(tooLong?.status == 400)
        #expect(tooLong?.message.contains("row 1") == true && tooLong?.message.contains("4096") == true)
        let missing = await refusal("{\"dataframe_records\": [{\"review\": \"good\"}]}")
        #expect(missing?.code == "INVALID_PARAMETER_VALUE")
        #expect(missing?.message.contains("Model is missing inputs ['text']") == true)
        let null = await refusal("{\"dataframe_records\": [{\"text\": null}]}")
        #expect(null?.status == 400)

        // Open Inference: numbers where text is expected, and a numeric datatype for the text input.
        for input in [
            "{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\", 7]}",
            "{\"name\": \"text\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1.5]}",
        ] {
            let header = try JSONValue(parsing: Array("{\"inputs\": [\(input)]}".utf8))
            await #expect(throws: ServingError.self) {
                _ = try await ScoringService(model: model).infer(header, name: "sentiment", version: nil)
            }
        }
        // Texts longer than the model reads are cut to max_length tokens, not refused.
        let cut = try await Self.predictions(model, "{\"inputs\": [\"\(String(repeating: "good ", count: 800))\"]}")
        #expect(cut["label"]?.arrayValue?.count == 1)
    }

    @Test func badPackagesAreRefusedAtLoad() throws {
        let model = Self.sentiment.appendingPathComponent("model.onnx")
        let tokenizer = try Self.sentimentTokenizer()
        for (flavor, words) in [
            ("    labels: [A, B, C]\n", "3 labels"),
            ("    labels: [A, A]\n", "twice"),
            ("    task: text-classification\n", "needs labels"),
            ("    task: translation\n    labels: [A, B]\n", "translation"),
            ("    tokenizer: ../tokenizer.json\n    labels: [A, B]\n", "not inside the model folder"),
            ("    tokenizer: /etc/passwd\n    labels: [A, B]\n", "not inside the model folder"),
            ("    tokenizer: missing.json\n    labels: [A, B]\n", "missing"),
            ("    labels: [A, B]\n    max_length: 1\n", "max_length"),
            ("    labels: [A, B]\n    function_to_apply: relu\n", "function_to_apply"),
        ] {
            let folder = try Self.package(model: model, tokenizer: tokenizer, textFlavor: flavor)
            defer { try? FileManager.default.removeItem(at: folder) }
            do {
                _ = try ScoringModel(package: try ModelPackage(at: folder), name: "bad", version: nil)
                Issue.record("loaded with \(flavor)")
            } catch {
                #expect(error.message.contains(words), "\(flavor): \(error.message)")
            }
        }
        // A tokenizer file that is not one.
        let folder = try Self.package(
            model: model, tokenizer: .object([("model", "x")]), textFlavor: "    labels: [A, B]\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ServingError.self) {
            try ScoringModel(package: try ModelPackage(at: folder), name: "bad", version: nil)
        }
    }

    /// MiniLM served as a sentence encoder: mean pooling over the mask and unit length, as sentence-transformers
    /// computes its embeddings (the fixture's second output, from onnxruntime).
    @Test func aSentenceEncoderGivesSentenceTransformersEmbeddings() async throws {
        let case14 = Self.fixtures.appendingPathComponent("onnx/encoders/minilm_opset14")
        let tokenizer = try JSONValue(
            parsing: try Data(contentsOf: Self.fixtures.appendingPathComponent("text/minilm/tokenizer.json")))
        let folder = try Self.package(
            model: case14.appendingPathComponent("model.onnx"), tokenizer: tokenizer,
            textFlavor: "    task: feature-extraction\n    pooling: mean\n    normalize: true\n    max_length: 128\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ScoringModel(package: try ModelPackage(at: folder), name: "minilm", version: nil)
        let reference = try ReferenceDataSet(
            directory: case14.appendingPathComponent("test_data_set_0"), model: model.engine)
        guard case .tensor(let embeddings) = reference.outputs[1], let values = embeddings.floats else {
            Issue.record("the fixture has no sentence embeddings")
            return
        }
        // The fixture's sentences (interop/text/make_encoder_fixtures.py).
        let sentences = [
            "The quick brown fox jumps over the lazy dog.", "Kaizen serves models from one binary.",
            "Héllo wörld! 🤗 Unicode, accents and emoji.",
            "A much longer sentence, with several clauses, that makes the batch padded to its length for the others.",
        ]
        let body = "{\"inputs\": [\(sentences.map(Self.text).joined(separator: ", "))]}"
        let answer = try await Self.predictions(model, body)
        let rows = answer["embedding"]?.arrayValue ?? []
        #expect(rows.count == 4)
        let width = embeddings.shape[1]
        for (index, row) in rows.enumerated() {
            let vector = row.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(vector.count == width)
            let gap = zip(vector, values[(index * width)..<((index + 1) * width)]).map { abs($0 - Double($1)) }.max()
            #expect((gap ?? 1) < 1e-4, "sentence \(index) off by \(gap ?? -1)")
        }
    }
}
