public import KaizenCore

/// How rows are cut into consecutive chunks, as NannyML's chunkers cut them with `incomplete="keep"`.
public enum Chunking: Sendable, Hashable {
    /// NannyML's `DefaultChunker`: chunks of ⌊rows / 10⌋ rows, so 10 chunks, or 11 when a remainder is left. Each
    /// data set is cut by its own row count.
    case automatic
    /// Chunks of this many rows; the remainder, if any, is a last, smaller chunk (`chunk_size`).
    case size(Int)
    /// Chunks of ⌊rows / count⌋ rows plus the remainder as one more chunk (`chunk_number`).
    case count(Int)

    /// The row ranges of the chunks of `rowCount` rows, in order.
    public func ranges(rowCount: Int) throws(KaizenError) -> [Range<Int>] {
        let size: Int
        switch self {
        case .automatic: size = rowCount / 10
        case .size(let value): size = value
        case .count(let count):
            guard count > 0 else {
                throw KaizenError.invalidParameter("the chunk count must be positive, not \(count)")
            }
            size = rowCount / count
        }
        guard size > 0 else {
            throw KaizenError.invalidParameter(
                "\(rowCount) rows give chunks of \(size) rows; chunks need at least one row")
        }
        var ranges = stride(from: 0, to: rowCount - rowCount % size, by: size).map { $0..<($0 + size) }
        if rowCount % size != 0 { ranges.append((rowCount - rowCount % size)..<rowCount) }
        return ranges
    }
}
