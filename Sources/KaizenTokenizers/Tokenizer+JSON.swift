public import KaizenCore

extension Tokenizer {
    /// The tokenizer a Hugging Face `tokenizer.json` describes; a part Kaizen does not implement is refused with
    /// `INVALID_PARAMETER_VALUE` naming it.
    public init(json: JSONValue) throws(KaizenError) {
        guard case .object = json else { throw .invalidParameter("A tokenizer file is a JSON object") }
        var added: [AddedTokens.Token] = []
        for item in json["added_tokens"]?.arrayValue ?? [] {
            guard let content = item["content"]?.stringValue, let id = item["id"]?.int64Value else {
                throw .invalidParameter("Each of the tokenizer's added_tokens needs a content and an id")
            }
            if item["single_word"] == .bool(true) {
                throw .invalidParameter(
                    "The added token '\(content)' sets single_word, which Kaizen does not support yet")
            }
            if item["normalized"] == .bool(true) && item["special"] != .bool(true) {
                throw .invalidParameter(
                    "The added token '\(content)' is matched after normalization, which Kaizen does not support yet")
            }
            added.append(
                AddedTokens.Token(
                    content: Array(content.unicodeScalars), id: Int(id),
                    takesSpaceBefore: item["lstrip"] == .bool(true),
                    takesSpaceAfter: item["rstrip"] == .bool(true)))
        }
        addedTokens = AddedTokens(added)
        normalizer = try Self.normalizer(json["normalizer"])
        pipeline = try Self.pipeline(preTokenizer: json["pre_tokenizer"], model: json["model"])
        (template, trimsOffsets) = try Self.postProcessor(json["post_processor"])
        truncation = try Self.truncation(json["truncation"])
        padding = try Self.padding(json["padding"])
    }

    /// Reads `tokenizer.json` text.
    public init(parsing bytes: some Collection<UInt8>) throws(KaizenError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: bytes) } catch {
            throw .invalidParameter("The tokenizer file is not valid JSON: \(error)")
        }
        try self.init(json: json)
    }

    static func type(_ value: JSONValue?) -> String? { value?["type"]?.stringValue }

    static func normalizer(_ value: JSONValue?) throws(KaizenError) -> BertNormalizer? {
        guard let value, value != .null else { return nil }
        guard type(value) == "BertNormalizer" else {
            throw .invalidParameter("The normalizer '\(type(value) ?? "?")' is not supported yet (BertNormalizer is)")
        }
        var normalizer = BertNormalizer()
        if case .bool(let flag)? = value["clean_text"] { normalizer.cleanText = flag }
        if case .bool(let flag)? = value["handle_chinese_chars"] { normalizer.handleChineseChars = flag }
        if case .bool(let flag)? = value["strip_accents"] { normalizer.stripAccents = flag }
        if case .bool(let flag)? = value["lowercase"] { normalizer.lowercase = flag }
        return normalizer
    }

    static func pipeline(preTokenizer: JSONValue?, model: JSONValue?) throws(KaizenError) -> Pipeline {
        switch (type(preTokenizer), type(model)) {
        case ("BertPreTokenizer", "WordPiece"):
            return .wordPiece(BertPreTokenizer(), try wordPiece(model))
        case ("ByteLevel", "BPE"):
            guard preTokenizer?["add_prefix_space"] != .bool(true), preTokenizer?["use_regex"] != .bool(false) else {
                throw .invalidParameter(
                    "The ByteLevel pre-tokenizer with add_prefix_space or without use_regex is not supported yet")
            }
            return .byteLevel(ByteLevelPreTokenizer(), try bpe(model))
        case (let pre, let kind):
            throw .invalidParameter(
                "The pre-tokenizer '\(pre ?? "none")' with the model '\(kind ?? "none")' is not supported yet "
                    + "(BertPreTokenizer with WordPiece, ByteLevel with BPE are)")
        }
    }

    /// A vocabulary keyed by UTF-8 bytes: entries that are canonically equivalent but written differently are
    /// different tokens.
    static func vocabulary(_ model: JSONValue?) throws(KaizenError) -> [[UInt8]: Int] {
        guard let entries = model?["vocab"]?.objectFields, !entries.isEmpty else {
            throw .invalidParameter("The tokenizer's model has no vocab")
        }
        var vocabulary: [[UInt8]: Int] = [:]
        vocabulary.reserveCapacity(entries.count)
        for (token, id) in entries {
            guard let id = id.int64Value, id >= 0 else {
                throw .invalidParameter("The vocab entry '\(token.prefix(50))' has no id")
            }
            vocabulary[Array(token.utf8)] = Int(id)
        }
        return vocabulary
    }

    static func bpe(_ value: JSONValue?) throws(KaizenError) -> BPEModel {
        for (flag, allowed) in [
            ("dropout", [JSONValue.null]), ("byte_fallback", [.null, .bool(false)]),
            ("ignore_merges", [.null, .bool(false)]),
            ("continuing_subword_prefix", [.null, .string("")]), ("end_of_word_suffix", [.null, .string("")]),
        ] where !allowed.contains(value?[flag] ?? .null) {
            throw .invalidParameter("The BPE model's \(flag) is not supported yet")
        }
        var ranks: [[UInt8]: Int] = [:]
        var merges: [(left: [UInt8], right: [UInt8])] = []
        for (rank, merge) in (value?["merges"]?.arrayValue ?? []).enumerated() {
            // ["a", "b"], or "a b" in older files.
            let pair: [String]
            if let parts = merge.arrayValue?.compactMap(\.stringValue), parts.count == 2 {
                pair = parts
            } else if let text = merge.stringValue, let space = text.firstIndex(of: " ") {
                pair = [String(text[..<space]), String(text[text.index(after: space)...])]
            } else {
                throw .invalidParameter("The BPE merge #\(rank) is neither [left, right] nor \"left right\"")
            }
            let key = Array(pair[0].utf8) + [0x20] + Array(pair[1].utf8)
            if ranks[key] == nil { ranks[key] = rank }
            merges.append((Array(pair[0].utf8), Array(pair[1].utf8)))
        }
        return BPEModel(vocabulary: try vocabulary(value), ranks: ranks, merges: merges)
    }

    static func wordPiece(_ value: JSONValue?) throws(KaizenError) -> WordPieceModel {
        guard let value else { throw .invalidParameter("The tokenizer has no model") }
        let vocabulary = try vocabulary(value)
        let unknown = value["unk_token"]?.stringValue ?? "[UNK]"
        guard vocabulary[Array(unknown.utf8)] != nil else {
            throw .invalidParameter("The WordPiece vocab lacks its unknown token '\(unknown)'")
        }
        let longest = value["max_input_chars_per_word"]?.int64Value ?? 100
        return WordPieceModel(
            vocabulary: vocabulary, unknownToken: unknown,
            continuingPrefix: value["continuing_subword_prefix"]?.stringValue ?? "##",
            maximumWordLength: Int(clamping: max(0, longest)))
    }

    /// The special tokens' template, and whether byte-level offsets are trimmed.
    static func postProcessor(_ value: JSONValue?) throws(KaizenError) -> (TemplateProcessing?, Bool) {
        guard let value, value != .null else { return (nil, false) }
        switch type(value) {
        case "RobertaProcessing":
            let (open, close) = try clsAndSep(value, "RobertaProcessing")
            guard value["add_prefix_space"] != .bool(true) || value["trim_offsets"] == .bool(false) else {
                throw .invalidParameter("RobertaProcessing with add_prefix_space is not supported yet")
            }
            let template = TemplateProcessing(
                single: [open, .sequence(index: 0, typeID: 0), close(0)],
                pair: [
                    open, .sequence(index: 0, typeID: 0), close(0), close(0), .sequence(index: 1, typeID: 0), close(0),
                ])
            return (template, value["trim_offsets"] != .bool(false))
        case "ByteLevel":
            return (nil, value["trim_offsets"] == .bool(true))
        default:
            return (try template(value), false)
        }
    }

    /// A BERT or RoBERTa post-processor's opening (`cls`) token, and its closing (`sep`) token for a type id.
    static func clsAndSep(
        _ value: JSONValue, _ processor: String
    ) throws(KaizenError) -> (open: TemplateProcessing.Piece, close: (Int) -> TemplateProcessing.Piece) {
        guard let cls = value["cls"]?.arrayValue, let sep = value["sep"]?.arrayValue,
            let clsToken = cls.first?.stringValue, let clsID = cls.last?.int64Value,
            let sepToken = sep.first?.stringValue, let sepID = sep.last?.int64Value
        else { throw .invalidParameter("\(processor) needs cls and sep as [token, id]") }
        let open = TemplateProcessing.Piece.special(ids: [Int(clsID)], tokens: [clsToken], typeID: 0)
        return (open, { typeID in .special(ids: [Int(sepID)], tokens: [sepToken], typeID: typeID) })
    }

    static func template(_ value: JSONValue) throws(KaizenError) -> TemplateProcessing? {
        switch type(value) {
        case "BertProcessing":
            let (open, close) = try clsAndSep(value, "BertProcessing")
            return TemplateProcessing(
                single: [open, .sequence(index: 0, typeID: 0), close(0)],
                pair: [open, .sequence(index: 0, typeID: 0), close(0), .sequence(index: 1, typeID: 1), close(1)])
        case "TemplateProcessing":
            var specials: [String: (ids: [Int], tokens: [String])] = [:]
            for (name, entry) in value["special_tokens"]?.objectFields ?? [] {
                let ids = entry["ids"]?.arrayValue?.compactMap { $0.int64Value.map(Int.init) } ?? []
                let tokens = entry["tokens"]?.arrayValue?.compactMap(\.stringValue) ?? []
                guard !ids.isEmpty, ids.count == tokens.count else {
                    throw .invalidParameter("The template's special token '\(name)' needs as many ids as tokens")
                }
                specials[name] = (ids, tokens)
            }
            func pieces(_ key: String) throws(KaizenError) -> [TemplateProcessing.Piece] {
                var pieces: [TemplateProcessing.Piece] = []
                for item in value[key]?.arrayValue ?? [] {
                    if let special = item["SpecialToken"], let name = special["id"]?.stringValue {
                        guard let known = specials[name] else {
                            throw .invalidParameter("The template uses '\(name)', which its special_tokens lack")
                        }
                        let typeID = Int(special["type_id"]?.int64Value ?? 0)
                        pieces.append(.special(ids: known.ids, tokens: known.tokens, typeID: typeID))
                    } else if let sequence = item["Sequence"], let name = sequence["id"]?.stringValue {
                        let typeID = Int(sequence["type_id"]?.int64Value ?? 0)
                        pieces.append(.sequence(index: name == "B" ? 1 : 0, typeID: typeID))
                    } else {
                        throw .invalidParameter("The template's \(key) holds an entry Kaizen does not read")
                    }
                }
                return pieces
            }
            return TemplateProcessing(single: try pieces("single"), pair: try pieces("pair"))
        default:
            throw .invalidParameter(
                "The post-processor '\(type(value) ?? "?")' is not supported yet (TemplateProcessing and "
                    + "BertProcessing are)")
        }
    }

    static func truncation(_ value: JSONValue?) throws(KaizenError) -> Truncation? {
        guard let value, value != .null else { return nil }
        guard let length = value["max_length"]?.int64Value, length >= 0 else {
            throw .invalidParameter("Truncation needs a max_length")
        }
        let name = value["strategy"]?.stringValue ?? "LongestFirst"
        guard let strategy = Truncation.Strategy(rawValue: name) else {
            throw .invalidParameter("The truncation strategy '\(name)' is not known")
        }
        return Truncation(
            maximumLength: Int(clamping: length), strategy: strategy,
            fromLeft: value["direction"]?.stringValue == "Left")
    }

    static func padding(_ value: JSONValue?) throws(KaizenError) -> Padding? {
        guard let value, value != .null else { return nil }
        var fixed: Int? = nil
        if let length = value["strategy"]?["Fixed"]?.int64Value { fixed = Int(clamping: max(0, length)) }
        return Padding(
            fixedLength: fixed, multipleOf: value["pad_to_multiple_of"]?.int64Value.map { Int(clamping: $0) },
            padLeft: value["direction"]?.stringValue == "Left", id: Int(value["pad_id"]?.int64Value ?? 0),
            typeID: Int(value["pad_type_id"]?.int64Value ?? 0), token: value["pad_token"]?.stringValue ?? "[PAD]")
    }
}
