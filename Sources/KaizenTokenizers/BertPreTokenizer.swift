/// BERT's pre-tokenization: words are split at white space (which is dropped) and every punctuation character is a
/// word of its own.
struct BertPreTokenizer: Sendable {
    /// The words of `text`, as ranges of its scalars, in order.
    func words(_ text: NormalizedText) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int? = nil
        for (index, scalar) in text.scalars.enumerated() {
            if UnicodeClasses.isWhitespace(scalar) {
                if let first = start { words.append(first..<index) }
                start = nil
            } else if UnicodeClasses.isPunctuation(scalar) {
                if let first = start { words.append(first..<index) }
                words.append(index..<index + 1)
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let first = start { words.append(first..<text.scalars.count) }
        return words
    }
}
