/// WordPiece, as BERT splits a word: the longest prefix in the vocabulary, then the longest continuation (written
/// with `##`) from where it ended, and so on; a word with a piece no entry matches, or longer than
/// `maximumWordLength` scalars, is the unknown token as a whole.
///
/// Entries are matched by their UTF-8 bytes, as the `tokenizers` library matches them: Swift's `String` equality is
/// canonical equivalence, which would take the Greek question mark (U+037E) for a semicolon.
struct WordPieceModel: Sendable {
    let vocabulary: [[UInt8]: Int]
    let unknownToken: String
    let continuingPrefix: String
    let maximumWordLength: Int

    /// The pieces of the word `range` of `text`: each with its id, its text and its range in `text`.
    func pieces(of range: Range<Int>, in text: NormalizedText) -> [(id: Int, token: String, range: Range<Int>)] {
        guard range.count <= maximumWordLength else { return unknown(range) }
        let scalars = text.scalars
        // Each scalar's UTF-8 bytes, so that a candidate piece is a slice of them.
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for scalar in scalars[range] {
            bytes.append(contentsOf: scalar.utf8)
            ends.append(bytes.count)
        }
        let prefix = Array(continuingPrefix.utf8)
        var pieces: [(id: Int, token: String, range: Range<Int>)] = []
        var start = 0
        while start < range.count {
            let from = start == 0 ? 0 : ends[start - 1]
            var end = range.count
            var found: (id: Int, key: [UInt8])? = nil
            while start < end {
                let key = (start > 0 ? prefix : []) + bytes[from..<ends[end - 1]]
                if let id = vocabulary[key] {
                    found = (id, key)
                    break
                }
                end -= 1
            }
            guard let found else { return unknown(range) }
            pieces.append(
                (
                    found.id, String(decoding: found.key, as: UTF8.self),
                    range.lowerBound + start..<range.lowerBound + end
                ))
            start = end
        }
        return pieces
    }

    func unknown(_ range: Range<Int>) -> [(id: Int, token: String, range: Range<Int>)] {
        guard let id = vocabulary[Array(unknownToken.utf8)] else { return [] }
        return [(id, unknownToken, range)]
    }
}
