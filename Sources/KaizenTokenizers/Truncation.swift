/// Encodings cut to a maximum length, as the `tokenizers` library cuts them (no overflowing windows).
struct Truncation: Sendable {
    enum Strategy: String, Sendable {
        case longestFirst = "LongestFirst"
        case onlyFirst = "OnlyFirst"
        case onlySecond = "OnlySecond"
    }

    let maximumLength: Int
    let strategy: Strategy
    /// Tokens are removed from the end (`Right`) or from the start (`Left`).
    let fromLeft: Bool

    /// Cuts `first` and `second` so that together they hold at most `maximumLength - added` tokens (`added`: the
    /// special tokens the template will add).
    func apply(_ first: inout Encoding, _ second: inout Encoding?, added: Int) {
        let limit = max(0, maximumLength - added)
        guard first.count + (second?.count ?? 0) > limit else { return }
        guard var pair = second else {
            cut(&first, to: limit)
            return
        }
        switch strategy {
        case .longestFirst:
            // The shorter keeps its length if the longer can take the rest; else both get half.
            var shorter = min(first.count, pair.count)
            var longer = shorter > limit ? shorter : max(shorter, limit - shorter)
            if shorter + longer > limit {
                shorter = limit / 2
                longer = shorter + limit % 2
            }
            let firstIsShorter = first.count <= pair.count
            cut(&first, to: firstIsShorter ? shorter : longer)
            cut(&pair, to: firstIsShorter ? longer : shorter)
        case .onlyFirst:
            cut(&first, to: max(0, limit - pair.count))
        case .onlySecond:
            cut(&pair, to: max(0, limit - first.count))
        }
        second = pair
    }

    func cut(_ encoding: inout Encoding, to count: Int) {
        guard count < encoding.count else { return }
        if fromLeft {
            let drop = encoding.count - count
            encoding = Encoding(
                ids: Array(encoding.ids.dropFirst(drop)), typeIDs: Array(encoding.typeIDs.dropFirst(drop)),
                attentionMask: Array(encoding.attentionMask.dropFirst(drop)),
                offsets: Array(encoding.offsets.dropFirst(drop)), tokens: Array(encoding.tokens.dropFirst(drop)))
        } else {
            encoding.truncate(to: count)
        }
    }
}
