import Synchronization

/// Byte-pair encoding as GPT-2 and RoBERTa use it: a piece's bytes, each as its byte-level character, merged pair by
/// pair, the pair of lowest rank in the merge list first (its leftmost occurrence first), until no adjacent pair is
/// in the list; each resulting symbol is a vocabulary entry.
struct BPEModel: Sendable {
    /// Entries by their UTF-8 bytes (byte-exact, as the library compares them).
    let vocabulary: [[UInt8]: Int]
    /// The rank of each merge, keyed by the left symbol's bytes, a space, and the right symbol's bytes (byte-level
    /// characters are never a space).
    let ranks: [[UInt8]: Int]
    /// Pieces already merged (words recur: a text's common words are merged once), as the library keeps them.
    let cache = PieceCache()

    init(vocabulary: [[UInt8]: Int], ranks: [[UInt8]: Int]) {
        self.vocabulary = vocabulary
        self.ranks = ranks
    }

    /// The tokens of one piece: `bytes` its UTF-8 bytes; each token with its id, text and range of byte positions.
    func tokens(of bytes: [UInt8]) -> [(id: Int, token: [UInt8], range: Range<Int>)] {
        if let known = cache.tokens(of: bytes) { return known }
        let tokens = merged(bytes)
        cache.remember(tokens, for: bytes)
        return tokens
    }

    func merged(_ bytes: [UInt8]) -> [(id: Int, token: [UInt8], range: Range<Int>)] {
        var symbols = bytes.indices.map { (text: ByteLevel.characterBytes[Int(bytes[$0])], range: $0..<$0 + 1) }
        while symbols.count > 1 {
            var best: (rank: Int, index: Int)? = nil
            for index in 0..<symbols.count - 1 {
                guard let rank = ranks[symbols[index].text + [0x20] + symbols[index + 1].text] else { continue }
                if let current = best, current.rank <= rank { continue }
                best = (rank, index)
            }
            guard let best else { break }
            let left = symbols[best.index].text
            let right = symbols[best.index + 1].text
            var merged: [(text: [UInt8], range: Range<Int>)] = []
            merged.reserveCapacity(symbols.count)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count && index >= best.index && symbols[index].text == left
                    && symbols[index + 1].text == right
                {
                    merged.append((left + right, symbols[index].range.lowerBound..<symbols[index + 1].range.upperBound))
                    index += 2
                } else {
                    merged.append(symbols[index])
                    index += 1
                }
            }
            symbols = merged
        }
        return symbols.compactMap { symbol in vocabulary[symbol.text].map { ($0, symbol.text, symbol.range) } }
    }
}

/// The merged tokens of pieces seen before, up to `capacity` pieces of at most `longest` bytes; once full it keeps
/// what it has (the library's cache does the same).
final class PieceCache: Sendable {
    typealias Tokens = [(id: Int, token: [UInt8], range: Range<Int>)]
    static let capacity = 10_000
    static let longest = 64
    let pieces = Mutex<[[UInt8]: Tokens]>([:])

    func tokens(of bytes: [UInt8]) -> Tokens? {
        guard bytes.count <= Self.longest else { return nil }
        return pieces.withLock { $0[bytes] }
    }

    func remember(_ tokens: Tokens, for bytes: [UInt8]) {
        guard bytes.count <= Self.longest else { return }
        pieces.withLock { pieces in
            if pieces.count < Self.capacity { pieces[bytes] = tokens }
        }
    }
}
