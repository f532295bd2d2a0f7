/// How special tokens frame the encoded text: `[CLS] $A [SEP]` for one text, `[CLS] $A [SEP] $B:1 [SEP]:1` for a
/// pair, each piece with the type id it gives its tokens.
struct TemplateProcessing: Sendable {
    enum Piece: Sendable {
        /// Special tokens (ids and texts) with a type id.
        case special(ids: [Int], tokens: [String], typeID: Int)
        /// The first (`A`, 0) or second (`B`, 1) text's tokens, with a type id.
        case sequence(index: Int, typeID: Int)
    }

    let single: [Piece]
    let pair: [Piece]

    /// The special tokens the template adds.
    func addedCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { count, piece in
            if case .special(let ids, _, _) = piece { return count + ids.count }
            return count
        }
    }

    /// The framed encoding of `first` (and `second`).
    func apply(_ first: Encoding, _ second: Encoding?) -> Encoding {
        var out = Encoding()
        for piece in second == nil ? single : pair {
            switch piece {
            case .special(let ids, let tokens, let typeID):
                for (id, token) in zip(ids, tokens) {
                    out.append(id: id, token: token, typeID: typeID, span: Encoding.Span(start: 0, end: 0))
                }
            case .sequence(let index, let typeID):
                guard let sequence = index == 0 ? first : second else { continue }
                for position in 0..<sequence.count {
                    out.append(
                        id: sequence.ids[position], token: sequence.tokens[position], typeID: typeID,
                        span: sequence.offsets[position])
                }
            }
        }
        return out
    }
}
