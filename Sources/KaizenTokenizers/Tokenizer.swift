/// Text to token ids as a Hugging Face tokenizer file (`tokenizer.json`) describes it, with the same ids, type ids,
/// attention masks and offsets as the `tokenizers` library: added tokens found first, then normalization,
/// pre-tokenization and the model on the text between them, truncation, the template's special tokens, padding.
///
/// Supported today: BERT's normalizer and pre-tokenizer with a WordPiece model (BERT, DistilBERT, MiniLM), template
/// and BERT post-processing, truncation and padding. `Tokenizer(json:)` refuses anything else by name.
public struct Tokenizer: Sendable {
    let addedTokens: AddedTokens
    let normalizer: BertNormalizer?
    let preTokenizer: BertPreTokenizer
    let model: WordPieceModel
    let template: TemplateProcessing?
    let truncation: Truncation?
    let padding: Padding?

    /// Encodes one text, or a pair (`pair`: the second text, type id 1 in BERT's template).
    public func encode(_ text: String, pair: String? = nil) -> Encoding {
        var first = encodeSequence(text)
        var second = pair.map(encodeSequence)
        let added = template?.addedCount(pair: second != nil) ?? 0
        truncation?.apply(&first, &second, added: added)
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
                    id: token.id, token: String(String.UnicodeScalarView(token.content)), typeID: 0,
                    span: Encoding.Span(start: segment.range.lowerBound, end: segment.range.upperBound))
                continue
            }
            var normalized = NormalizedText(scalars[segment.range], base: segment.range.lowerBound)
            if let normalizer { normalized = normalizer.normalize(normalized) }
            for word in preTokenizer.words(normalized) {
                for piece in model.pieces(of: word, in: normalized) {
                    encoding.append(id: piece.id, token: piece.token, typeID: 0, span: normalized.span(of: piece.range))
                }
            }
        }
        return encoding
    }
}
