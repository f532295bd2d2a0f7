/// The bytes of one artifact as a sequence of chunks read from the store on demand, with the artifact's
/// size when the store knows it before reading.
///
/// Iterate it once: behind it may be a stream that cannot be replayed, such as an open file or an HTTP
/// response. What the store holds open for it is released when iteration ends, fails, or the content and its
/// iterator are dropped.
public struct ArtifactContent: AsyncSequence, Sendable {
    /// A chunk of the artifact's bytes, never empty.
    public typealias Element = [UInt8]

    /// The artifact's size in bytes; nil when the store cannot tell before reading it all.
    public let size: Int64?

    private let source: any ChunkSource

    /// Wraps a store's own sequence of chunks; `size`, when given, is the sum of the chunks' counts.
    public init<Chunks: AsyncSequence & Sendable>(size: Int64?, chunks: Chunks) where Chunks.Element == [UInt8] {
        self.size = size
        self.source = Chunked(chunks)
    }

    /// Starts reading the chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: source.makeReader())
    }

    /// Reads the chunks of an `ArtifactContent` in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: any ChunkReader

        /// The next chunk, or nil after the last one.
        public mutating func next() async throws -> [UInt8]? {
            try await reader.next()
        }
    }
}

// The store's chunk sequence behind an existential rather than a closure that captures its iterator: the Swift 6.3
// optimizer crashes (signal 11, while splitting the coroutine) on an async closure that mutates a captured generic
// iterator.

/// A sequence of chunks whose type is erased.
protocol ChunkSource: Sendable {
    func makeReader() -> any ChunkReader
}

/// One pass over a sequence of chunks.
protocol ChunkReader: AnyObject {
    func next() async throws -> [UInt8]?
}

/// A store's sequence of chunks behind `ChunkSource`.
struct Chunked<Chunks: AsyncSequence & Sendable>: ChunkSource where Chunks.Element == [UInt8] {
    let chunks: Chunks

    init(_ chunks: Chunks) {
        self.chunks = chunks
    }

    func makeReader() -> any ChunkReader {
        Reader(chunks.makeAsyncIterator())
    }

    /// Holds the iterator, which `next` advances; empty chunks are skipped.
    final class Reader: ChunkReader {
        var iterator: Chunks.AsyncIterator

        init(_ iterator: Chunks.AsyncIterator) {
            self.iterator = iterator
        }

        func next() async throws -> [UInt8]? {
            while let chunk = try await iterator.next() {
                if !chunk.isEmpty { return chunk }
            }
            return nil
        }
    }
}
