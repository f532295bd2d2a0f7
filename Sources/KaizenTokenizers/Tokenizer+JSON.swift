public import KaizenCore

extension Tokenizer {
    /// The tokenizer a Hugging Face `tokenizer.json` describes; a part Kaizen does not implement is refused with
    /// `INVALID_PARAMETER_VALUE` naming it.
    public init(json: JSONValue) throws(KaizenError) {
        guard case .object = json else { throw .invalidParameter("A tokenizer file is a JSON object") }
        var added: [(content: String, id: Int)] = []
        for item in json["added_tokens"]?.arrayValue ?? [] {
            guard let content = item["content"]?.stringValue, let id = item["id"]?.int64Value else {
                throw .invalidParameter("Each of the tokenizer's added_tokens needs a content and an id")
            }
            for flag in ["lstrip", "rstrip", "single_word"] where item[flag] == .bool(true) {
                throw .invalidParameter("The added token '\(content)' sets \(flag), which Kaizen does not support yet")
            }
            if item["normalized"] == .bool(true) && item["special"] != .bool(true) {
                throw .invalidParameter(
                    "The added token '\(content)' is matched after normalization, which Kaizen does not support yet")
            }
            added.append((content, Int(id)))
        }
        addedTokens = AddedTokens(added)
        normalizer = try Self.normalizer(json["normalizer"])
        try Self.checkPreTokenizer(json["pre_tokenizer"])
        preTokenizer = BertPreTokenizer()
        model = try Self.model(json["model"])
        template = try Self.template(json["post_processor"])
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

    static func checkPreTokenizer(_ value: JSONValue?) throws(KaizenError) {
        guard type(value) == "BertPreTokenizer" else {
            throw .invalidParameter(
                "The pre-tokenizer '\(type(value) ?? "none")' is not supported yet (BertPreTokenizer is)")
        }
    }

    static func model(_ value: JSONValue?) throws(KaizenError) -> WordPieceModel {
        guard let value, type(value) == "WordPiece" || (type(value) == nil && value["continuing_subword_prefix"] != nil)
        else {
            throw .invalidParameter("The model '\(type(value) ?? "?")' is not supported yet (WordPiece is)")
        }
        guard let entries = value["vocab"]?.objectFields, !entries.isEmpty else {
            throw .invalidParameter("The WordPiece model has no vocab")
        }
        // Keyed by bytes: entries that are canonically equivalent but written differently are different tokens.
        var vocabulary: [[UInt8]: Int] = [:]
        vocabulary.reserveCapacity(entries.count)
        for (token, id) in entries {
            guard let id = id.int64Value, id >= 0 else {
                throw .invalidParameter("The vocab entry '\(token.prefix(50))' has no id")
            }
            vocabulary[Array(token.utf8)] = Int(id)
        }
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

    static func template(_ value: JSONValue?) throws(KaizenError) -> TemplateProcessing? {
        guard let value, value != .null else { return nil }
        switch type(value) {
        case "BertProcessing":
            guard let cls = value["cls"]?.arrayValue, let sep = value["sep"]?.arrayValue,
                let clsToken = cls.first?.stringValue, let clsID = cls.last?.int64Value,
                let sepToken = sep.first?.stringValue, let sepID = sep.last?.int64Value
            else { throw .invalidParameter("BertProcessing needs cls and sep as [token, id]") }
            let open = TemplateProcessing.Piece.special(ids: [Int(clsID)], tokens: [clsToken], typeID: 0)
            let close = { (typeID: Int) in
                TemplateProcessing.Piece.special(ids: [Int(sepID)], tokens: [sepToken], typeID: typeID)
            }
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
