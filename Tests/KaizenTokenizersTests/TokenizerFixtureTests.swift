import Foundation
import KaizenCore
import Testing

@testable import KaizenTokenizers

/// The tokenizers of `make text-fixtures` (`interop/text/make_tokenizer_fixtures.py`: MiniLM's real WordPiece
/// tokenizer, a cased WordPiece and a RoBERTa-style byte-level BPE trained there) on 10,000 sentences and 1,000 pairs,
/// against the `tokenizers` library's encodings: the same ids, type ids, masks and offsets, case by case.
@Suite(.enabled(if: TextFixtures.available, TextFixtures.missing))
struct TokenizerFixtureTests {
    @Test(arguments: ["minilm", "wordpiece-cased", "bpe-roberta"])
    func everyCaseEqualsTheLibrarys(_ name: String) throws {
        let folder = TextFixtures.root.appendingPathComponent(name)
        let tokenizer = try Tokenizer(parsing: try Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))
        try check(tokenizer, against: folder, name: name, least: 11_000)
    }

    /// The tokenizers built from a model's vocabulary files (BERT's `vocab.txt`, RoBERTa's `vocab.json` and
    /// `merges.txt`) encode as the library's tokenizers built from the same files.
    @Test func vocabularyFilesEncodeAsTheLibrarysTokenizersFromThem() throws {
        let bert = TextFixtures.root.appendingPathComponent("vocab-bert")
        try check(
            try Tokenizer(
                wordPieceVocabulary: try Data(contentsOf: bert.appendingPathComponent("vocab.txt")), lowercase: false),
            against: bert, name: "vocab-bert", least: 3_000)
        let roberta = TextFixtures.root.appendingPathComponent("vocab-roberta")
        try check(
            try Tokenizer(
                bpeVocabulary: try Data(contentsOf: roberta.appendingPathComponent("vocab.json")),
                merges: try Data(contentsOf: roberta.appendingPathComponent("merges.txt"))),
            against: roberta, name: "vocab-roberta", least: 3_000)
    }

    func check(_ tokenizer: Tokenizer, against folder: URL, name: String, least: Int) throws {
        let lines = try String(contentsOf: folder.appendingPathComponent("cases.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count >= least)
        var failures: [String] = []
        for line in lines {
            let expected = try JSONValue(parsing: Array(line.utf8))
            let text = try #require(expected["text"]?.stringValue)
            let encoding = tokenizer.encode(text, pair: expected["pair"]?.stringValue)
            let ids = expected["ids"]?.arrayValue?.compactMap { $0.int64Value.map(Int.init) } ?? []
            let types = expected["type_ids"]?.arrayValue?.compactMap { $0.int64Value.map(Int.init) } ?? []
            let mask = expected["attention_mask"]?.arrayValue?.compactMap { $0.int64Value.map(Int.init) } ?? []
            let offsets =
                expected["offsets"]?.arrayValue?.map { pair in
                    Encoding.Span(
                        start: Int(pair.arrayValue?.first?.int64Value ?? -1),
                        end: Int(pair.arrayValue?.last?.int64Value ?? -1))
                } ?? []
            if encoding.ids != ids || encoding.typeIDs != types || encoding.attentionMask != mask
                || encoding.offsets != offsets
            {
                failures.append(
                    "\(String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)) \(expected["pair"].map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "")\t: ids \(encoding.ids == ids), types "
                        + "\(encoding.typeIDs == types), mask \(encoding.attentionMask == mask), offsets "
                        + "\(encoding.offsets == offsets); got \(encoding.ids) \(encoding.offsets.map { [$0.start, $0.end] })"
                )
            }
        }
        if let dump = ProcessInfo.processInfo.environment["KAIZEN_TOKENIZER_DUMP"] {
            try failures.joined(separator: "\n").write(toFile: "\(dump)-\(name).txt", atomically: true, encoding: .utf8)
        }
        #expect(failures.isEmpty, "\(failures.count) of \(lines.count) differ; first: \(failures.prefix(5))")
    }
}

enum TextFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".fixtures/text")

    static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("minilm/cases.jsonl").path)
    }

    static let missing: Comment = "needs .fixtures/text: run make text-fixtures"
}
