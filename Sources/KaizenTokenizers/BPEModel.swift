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

    /// The merges by vocabulary ids, when every merge's parts and result are entries: the pair `(left << 32 | right)`
    /// to its rank and its result's id. The same merges as `ranks`, found without building byte keys.
    let pairs: [UInt64: (rank: Int32, id: Int32)]?
    /// The id of each byte's byte-level character (-1 for one the vocabulary lacks).
    let byteIDs: [Int32]
    /// Each id's entry, by id.
    let entries: [Int: [UInt8]]

    init(vocabulary: [[UInt8]: Int], ranks: [[UInt8]: Int], merges: [(left: [UInt8], right: [UInt8])] = []) {
        self.vocabulary = vocabulary
        self.ranks = ranks
        var pairs: [UInt64: (rank: Int32, id: Int32)]? = [:]
        for (rank, merge) in merges.enumerated() {
            guard let left = vocabulary[merge.left], let right = vocabulary[merge.right],
                let result = vocabulary[merge.left + merge.right], left <= Int32.max, right <= Int32.max,
                result <= Int32.max
            else {
                pairs = nil
                break
            }
            let key = UInt64(left) << 32 | UInt64(right)
            if pairs?[key] == nil { pairs?[key] = (Int32(rank), Int32(result)) }
        }
        self.pairs = merges.isEmpty ? nil : pairs
        byteIDs = (0..<256).map { byte in vocabulary[ByteLevel.characterBytes[byte]].map { Int32($0) } ?? -1 }
        var entries: [Int: [UInt8]] = [:]
        for (entry, id) in vocabulary { entries[id] = entry }
        self.entries = entries
    }

    /// The tokens of one piece: `bytes` its UTF-8 bytes; each token with its id, text and range of byte positions.
    func tokens(of bytes: [UInt8]) -> [(id: Int, token: [UInt8], range: Range<Int>)] {
        if let known = cache.tokens(of: bytes) { return known }
        let tokens = mergedByID(bytes) ?? merged(bytes)
        cache.remember(tokens, for: bytes)
        return tokens
    }

    /// `merged(_:)` on vocabulary ids: nil when a byte's character is not an entry (the byte path then decides).
    func mergedByID(_ bytes: [UInt8]) -> [(id: Int, token: [UInt8], range: Range<Int>)]? {
        guard let pairs else { return nil }
        var ids: [Int32] = []
        var ranges: [Range<Int>] = []
        ids.reserveCapacity(bytes.count)
        ranges.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let id = byteIDs[Int(byte)]
            guard id >= 0 else { return nil }
            ids.append(id)
            ranges.append(index..<index + 1)
        }
        while ids.count > 1 {
            var best: (rank: Int32, index: Int, id: Int32)? = nil
            for index in 0..<ids.count - 1 {
                guard let merge = pairs[UInt64(UInt32(ids[index])) << 32 | UInt64(UInt32(ids[index + 1]))] else {
                    continue
                }
                if let current = best, current.rank <= merge.rank { continue }
                best = (merge.rank, index, merge.id)
            }
            guard let best else { break }
            let (left, right) = (ids[best.index], ids[best.index + 1])
            var write = best.index
            var read = best.index
            while read < ids.count {
                if read + 1 < ids.count && ids[read] == left && ids[read + 1] == right {
                    ids[write] = best.id
                    ranges[write] = ranges[read].lowerBound..<ranges[read + 1].upperBound
                    read += 2
                } else {
                    ids[write] = ids[read]
                    ranges[write] = ranges[read]
                    read += 1
                }
                write += 1
            }
            ids.removeLast(ids.count - write)
            ranges.removeLast(ranges.count - write)
        }
        return ids.indices.map { (Int(ids[$0]), entries[Int(ids[$0])] ?? [], ranges[$0]) }
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
