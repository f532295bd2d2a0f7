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

    private let makeIterator: @Sendable () -> AsyncIterator

    /// Wraps a store's own sequence of chunks; `size`, when given, is the sum of the chunks' counts.
    public init<Chunks: AsyncSequence & Sendable>(size: Int64?, chunks: Chunks) where Chunks.Element == [UInt8] {
        self.size = size
        self.makeIterator = {
            var iterator = chunks.makeAsyncIterator()
            return AsyncIterator {
                while let chunk = try await iterator.next() {
                    if !chunk.isEmpty { return chunk }
                }
                return nil
            }
        }
    }

    /// Starts reading the chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        makeIterator()
    }

    /// Reads the chunks of an `ArtifactContent` in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextChunk: () async throws -> [UInt8]?

        /// The next chunk, or nil after the last one.
        public mutating func next() async throws -> [UInt8]? {
            try await nextChunk()
        }
    }
}
