import KaizenArtifacts
import Testing

struct ArtifactContentTests {
    struct Broken: Error {}

    static func content(_ chunks: [[UInt8]], size: Int64?, failing error: (any Error)? = nil) -> ArtifactContent {
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish(throwing: error)
        }
        return ArtifactContent(size: size, chunks: stream)
    }

    @Test func passesChunksThroughInOrderWithoutEmptyOnes() async throws {
        let content = Self.content([[1, 2], [], [3], [], []], size: 3)
        #expect(content.size == 3)
        var chunks: [[UInt8]] = []
        for try await chunk in content { chunks.append(chunk) }
        #expect(chunks == [[1, 2], [3]])
    }

    @Test func wrapsSequencesThatCannotFail() async throws {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        continuation.yield([7])
        continuation.finish()
        var iterator = ArtifactContent(size: nil, chunks: stream).makeAsyncIterator()
        #expect(try await iterator.next() == [7])
        #expect(try await iterator.next() == nil)
    }

    @Test func passesErrorsThrough() async throws {
        var received: [[UInt8]] = []
        await #expect(throws: Broken.self) {
            for try await chunk in Self.content([[1]], size: nil, failing: Broken()) { received.append(chunk) }
        }
        #expect(received == [[1]])
    }
}
