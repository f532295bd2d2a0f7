/// A text (or a pair of texts) as a model takes it: token ids with their type ids, attention mask and the span of
/// the input each token came from.
public struct Encoding: Sendable, Equatable {
    /// Where a token came from: `start..<end` in Unicode scalars of the input text it belongs to (the first text or
    /// the pair's second); `0..<0` for tokens the tokenizer added (`[CLS]`, padding).
    public struct Span: Sendable, Equatable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    public var ids: [Int]
    /// 0 for the first text, 1 for the second of a pair (as the tokenizer's template says).
    public var typeIDs: [Int]
    /// 1 for a real token, 0 for padding.
    public var attentionMask: [Int]
    public var offsets: [Span]
    /// The tokens' text in the vocabulary.
    public var tokens: [String]

    public init(
        ids: [Int] = [], typeIDs: [Int] = [], attentionMask: [Int] = [], offsets: [Span] = [], tokens: [String] = []
    ) {
        self.ids = ids
        self.typeIDs = typeIDs
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.tokens = tokens
    }

    public var count: Int { ids.count }

    /// Appends one token.
    mutating func append(id: Int, token: String, typeID: Int, span: Span, attention: Int = 1) {
        ids.append(id)
        tokens.append(token)
        typeIDs.append(typeID)
        attentionMask.append(attention)
        offsets.append(span)
    }

    /// Leaves the spaces at either end of each token (GPT-2's space character, or white space an added token took)
    /// out of its span, as byte-level post-processing does; a token of spaces only keeps an empty span at its end.
    mutating func trimOffsets() {
        let isSpace = { (scalar: Unicode.Scalar) in scalar == ByteLevel.space || UnicodeClasses.isWhitespace(scalar) }
        for index in offsets.indices {
            let scalars = tokens[index].unicodeScalars
            let leading = scalars.prefix(while: isSpace).count
            let trailing = scalars.reversed().prefix(while: isSpace).count
            var span = offsets[index]
            if leading > 0 { span.start = min(span.start + leading, span.end) }
            if trailing > 0 && span.end >= trailing { span.end = max(span.end - trailing, span.start) }
            offsets[index] = span
        }
    }

    /// Keeps the first `count` tokens.
    mutating func truncate(to count: Int) {
        guard count < ids.count else { return }
        ids.removeLast(ids.count - count)
        tokens.removeLast(tokens.count - count)
        typeIDs.removeLast(typeIDs.count - count)
        attentionMask.removeLast(attentionMask.count - count)
        offsets.removeLast(offsets.count - count)
    }
}
