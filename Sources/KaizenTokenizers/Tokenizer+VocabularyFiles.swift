public import KaizenCore

extension Tokenizer {
    /// BERT's tokenizer from its `vocab.txt` (one token per line, the line number its id), set up as the `tokenizers`
    /// library's `BertWordPieceTokenizer` sets it up: BERT's normalizer (`lowercase` as given, accents stripped when
    /// lowercasing), `[CLS] A [SEP] B [SEP]`, and `[UNK]`, `[SEP]`, `[CLS]`, `[PAD]`, `[MASK]` as special tokens.
    public init(wordPieceVocabulary text: some Collection<UInt8>, lowercase: Bool) throws(KaizenError) {
        try self.init(json: try Self.wordPieceFile(vocabulary: text, lowercase: lowercase))
    }

    /// The `tokenizer.json` that `init(wordPieceVocabulary:lowercase:)` describes.
    public static func wordPieceFile(
        vocabulary text: some Collection<UInt8>, lowercase: Bool
    ) throws(KaizenError) -> JSONValue {
        guard let text = String(validating: text, as: UTF8.self) else {
            throw .invalidParameter("The WordPiece vocabulary is not UTF-8 text")
        }
        // As the `tokenizers` library reads it: the line number is the id, trailing white space is not part of the
        // token, and a token listed twice keeps its last line.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var ids: [String: Int64] = [:]
        for (number, line) in lines.enumerated() {
            var token = Substring(line)
            while let last = token.unicodeScalars.last, last.properties.isWhitespace { token.removeLast() }
            ids[String(token)] = Int64(number)
        }
        let vocabulary = ids.sorted { $0.value < $1.value }.map { ($0.key, JSONValue.integer($0.value)) }
        func special(_ token: String) throws(KaizenError) -> Int64 {
            guard let id = ids[token] else {
                throw .invalidParameter("The WordPiece vocabulary lacks the special token '\(token)'")
            }
            return id
        }
        // Each special token the vocabulary holds is matched whole in the raw text.
        let added = ["[UNK]", "[SEP]", "[CLS]", "[PAD]", "[MASK]"].compactMap { token in
            ids[token].map { Self.addedToken(token, id: $0, lstrip: false) }
        }
        let json: JSONValue = .object([
            ("version", "1.0"), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(added)),
            (
                "normalizer",
                .object([
                    ("type", "BertNormalizer"), ("clean_text", .bool(true)), ("handle_chinese_chars", .bool(true)),
                    ("strip_accents", .null), ("lowercase", .bool(lowercase)),
                ])
            ),
            ("pre_tokenizer", .object([("type", "BertPreTokenizer")])),
            (
                "post_processor",
                .object([
                    ("type", "BertProcessing"), ("sep", .array(["[SEP]", .integer(try special("[SEP]"))])),
                    ("cls", .array(["[CLS]", .integer(try special("[CLS]"))])),
                ])
            ),
            (
                "decoder", .object([("type", "WordPiece"), ("prefix", "##"), ("cleanup", true)])
            ),
            (
                "model",
                .object([
                    ("type", "WordPiece"), ("unk_token", "[UNK]"), ("continuing_subword_prefix", "##"),
                    ("max_input_chars_per_word", .integer(100)), ("vocab", .object(vocabulary)),
                ])
            ),
        ])
        return json
    }

    /// RoBERTa's tokenizer from its `vocab.json` and `merges.txt`, set up as RoBERTa's fast tokenizer is: GPT-2's
    /// byte-level BPE without a prefix space, `<s> A </s></s> B </s>` with trimmed offsets, and `<s>`, `<pad>`, `</s>`,
    /// `<unk>` and `<mask>` (which takes the space before it) as special tokens.
    public init(bpeVocabulary vocabulary: some Collection<UInt8>, merges: some Collection<UInt8>) throws(KaizenError) {
        try self.init(json: try Self.bpeFile(vocabulary: vocabulary, merges: merges))
    }

    /// The `tokenizer.json` that `init(bpeVocabulary:merges:)` describes.
    public static func bpeFile(
        vocabulary: some Collection<UInt8>, merges: some Collection<UInt8>
    ) throws(KaizenError) -> JSONValue {
        let parsed: JSONValue
        do { parsed = try JSONValue(parsing: vocabulary) } catch {
            throw .invalidParameter("The BPE vocabulary (vocab.json) is not valid JSON: \(error)")
        }
        guard let entries = parsed.objectFields else {
            throw .invalidParameter("The BPE vocabulary (vocab.json) is not a JSON object of token to id")
        }
        guard let text = String(validating: merges, as: UTF8.self) else {
            throw .invalidParameter("The BPE merges (merges.txt) are not UTF-8 text")
        }
        var mergeList: [JSONValue] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let rule = line.hasSuffix("\r") ? line.dropLast() : line
            // The first line of GPT-2's and RoBERTa's files is a version comment.
            if number == 0 && rule.hasPrefix("#version") { continue }
            if rule.isEmpty { continue }
            guard rule.split(separator: " ", omittingEmptySubsequences: false).count == 2 else {
                throw .invalidParameter("Line \(number + 1) of merges.txt is not two tokens separated by a space")
            }
            mergeList.append(.string(String(rule)))
        }
        var ids: [String: Int64] = [:]
        for (token, id) in entries { ids[token] = id.int64Value }
        func special(_ token: String) throws(KaizenError) -> Int64 {
            guard let id = ids[token] else {
                throw .invalidParameter("The BPE vocabulary lacks the special token '\(token)'")
            }
            return id
        }
        // A special token the vocabulary lacks is added after it, as adding special tokens to a tokenizer does.
        var next = (ids.values.max() ?? -1) + 1
        var added: [JSONValue] = []
        for token in ["<s>", "<pad>", "</s>", "<unk>", "<mask>"] {
            let id = ids[token] ?? next
            if ids[token] == nil {
                ids[token] = id
                next += 1
            }
            added.append(Self.addedToken(token, id: id, lstrip: token == "<mask>"))
        }
        let byteLevel: [(String, JSONValue)] = [
            ("type", "ByteLevel"), ("add_prefix_space", false), ("trim_offsets", true), ("use_regex", true),
        ]
        let json: JSONValue = .object([
            ("version", "1.0"), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(added)), ("normalizer", .null),
            ("pre_tokenizer", .object(byteLevel)),
            (
                "post_processor",
                .object([
                    ("type", "RobertaProcessing"), ("sep", .array(["</s>", .integer(try special("</s>"))])),
                    ("cls", .array(["<s>", .integer(try special("<s>"))])), ("trim_offsets", .bool(true)),
                    ("add_prefix_space", .bool(false)),
                ])
            ),
            ("decoder", .object(byteLevel)),
            (
                "model",
                .object([
                    ("type", "BPE"), ("dropout", .null), ("unk_token", .null), ("continuing_subword_prefix", .null),
                    ("end_of_word_suffix", .null), ("fuse_unk", false), ("byte_fallback", false),
                    ("ignore_merges", false), ("vocab", parsed), ("merges", .array(mergeList)),
                ])
            ),
        ])
        return json
    }

    static func addedToken(_ content: String, id: Int64, lstrip: Bool) -> JSONValue {
        .object([
            ("id", .integer(id)), ("content", .string(content)), ("single_word", .bool(false)),
            ("lstrip", .bool(lstrip)), ("rstrip", .bool(false)), ("normalized", .bool(false)),
            ("special", .bool(true)),
        ])
    }
}
