/// The tokens a tokenizer file adds to its model's vocabulary (`[CLS]`, `[MASK]`, ...): found in the raw text before
/// normalization, each match a token of its own, the text between them tokenized as usual.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        let content: [Unicode.Scalar]
        let id: Int
        /// The match takes the white space before it (`lstrip`) or after it (`rstrip`) too.
        var takesSpaceBefore = false
        var takesSpaceAfter = false
    }

    /// Longest first, so that at any position the longest match wins.
    let tokens: [Token]

    init(_ tokens: [Token]) {
        self.tokens = tokens.filter { !$0.content.isEmpty }.sorted { $0.content.count > $1.content.count }
    }

    /// The text cut at the added tokens it holds, leftmost first: a segment is either a match (its token) or the
    /// text between matches.
    func segments(of scalars: [Unicode.Scalar]) -> [(range: Range<Int>, token: Token?)] {
        guard !tokens.isEmpty else { return [(0..<scalars.count, nil)] }
        var segments: [(range: Range<Int>, token: Token?)] = []
        var textStart = 0
        var index = 0
        while index < scalars.count {
            if let match = tokens.first(where: { matches($0.content, scalars, at: index) }) {
                var from = index
                if match.takesSpaceBefore {
                    while from > textStart && UnicodeClasses.isWhitespace(scalars[from - 1]) { from -= 1 }
                }
                var to = index + match.content.count
                if match.takesSpaceAfter {
                    while to < scalars.count && UnicodeClasses.isWhitespace(scalars[to]) { to += 1 }
                }
                if textStart < from { segments.append((textStart..<from, nil)) }
                segments.append((from..<to, match))
                index = to
                textStart = index
            } else {
                index += 1
            }
        }
        if textStart < scalars.count { segments.append((textStart..<scalars.count, nil)) }
        return segments
    }

    func matches(_ content: [Unicode.Scalar], _ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + content.count <= scalars.count else { return false }
        for offset in content.indices where scalars[index + offset] != content[offset] { return false }
        return true
    }
}
