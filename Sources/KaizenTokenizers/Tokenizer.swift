/// Text to token ids as a Hugging Face tokenizer file (`tokenizer.json`) describes it, with the same ids, type ids,
/// attention masks and offsets as the `tokenizers` library: added tokens found first, then normalization,
/// pre-tokenization and the model on the text between them, truncation, the template's special tokens, padding.
///
/// Supported today: BERT's normalizer and pre-tokenizer with a WordPiece model (BERT, DistilBERT, MiniLM); GPT-2's
/// byte-level pre-tokenizer with a BPE model (GPT-2, RoBERTa); template, BERT and RoBERTa post-processing, truncation
/// and padding. `Tokenizer(json:)` refuses anything else by name.
public struct Tokenizer: Sendable {
    /// The model with the pre-tokenization it goes with.
    enum Pipeline: Sendable {
        /// BERT: words split at white space and punctuation, then WordPiece.
        case wordPiece(BertPreTokenizer, WordPieceModel)
        /// GPT-2 and RoBERTa: pieces by GPT-2's pattern, their bytes merged by BPE.
        case byteLevel(ByteLevelPreTokenizer, BPEModel)
    }

    let addedTokens: AddedTokens
    let normalizer: BertNormalizer?
    let pipeline: Pipeline
    let template: TemplateProcessing?
    /// Byte-level post-processing: spaces at either end of a token are left out of its span.
    let trimsOffsets: Bool
    var truncation: Truncation?
    var padding: Padding?

    /// Encodes one text, or a pair (`pair`: the second text, type id 1 in BERT's template).
    public func encode(_ text: String, pair: String? = nil) -> Encoding {
        var first = encodeSequence(text)
        var second = pair.map(encodeSequence)
        let added = template?.addedCount(pair: second != nil) ?? 0
        truncation?.apply(&first, &second, added: added)
        if trimsOffsets {
            first.trimOffsets()
            second?.trimOffsets()
        }
        var encoding: Encoding
        if let template {
            encoding = template.apply(first, second)
        } else {
            encoding = first
            if let second {
                for index in 0..<second.count {
                    encoding.append(
                        id: second.ids[index], token: second.tokens[index], typeID: 1, span: second.offsets[index])
                }
            }
        }
        padding?.apply(&encoding)
        return encoding
    }

    /// One text's tokens, before truncation and special tokens; spans in the text's scalars.
    func encodeSequence(_ text: String) -> Encoding {
        let scalars = Array(text.unicodeScalars)
        var encoding = Encoding()
        for segment in addedTokens.segments(of: scalars) {
            if let token = segment.token {
                encoding.append(
                    id: token.id, token: String(String.UnicodeScalarView(scalars[segment.range])), typeID: 0,
                    span: Encoding.Span(start: segment.range.lowerBound, end: segment.range.upperBound))
                continue
            }
            var normalized = NormalizedText(scalars[segment.range], base: segment.range.lowerBound)
            if let normalizer { normalized = normalizer.normalize(normalized) }
            switch pipeline {
            case .wordPiece(let preTokenizer, let model):
                for word in preTokenizer.words(normalized) {
                    for piece in model.pieces(of: word, in: normalized) {
                        encoding.append(
                            id: piece.id, token: piece.token, typeID: 0, span: normalized.span(of: piece.range))
                    }
                }
            case .byteLevel(let preTokenizer, let model):
                for piece in preTokenizer.pieces(normalized.scalars[...]) {
                    // The piece's bytes, each with the normalized scalar it belongs to.
                    var bytes: [UInt8] = []
                    var owners: [Int] = []
                    for index in piece {
                        for byte in normalized.scalars[index].utf8 {
                            bytes.append(byte)
                            owners.append(index)
                        }
                    }
                    for token in model.tokens(of: bytes) {
                        let first = owners[token.range.lowerBound]
                        let last = owners[token.range.upperBound - 1]
                        encoding.append(
                            id: token.id, token: String(decoding: token.token, as: UTF8.self), typeID: 0,
                            span: normalized.span(of: first..<last + 1))
                    }
                }
            }
        }
        return encoding
    }
}
