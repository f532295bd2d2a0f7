import Foundation
import KaizenCore
import Synchronization

/// The bytes of an open file, read in chunks as they are asked for.
///
/// It reads exactly `size` bytes, the size the file had when it was opened, so the length announced to a
/// client is the length sent; a file that shrinks meanwhile ends the sequence with an error rather than a short
/// body. The file is closed after the last chunk, on an error, or when the sequence and its iterators are
/// dropped. Each chunk is one `read(2)` of at most `chunkSize` bytes: short, blocking calls that a local disk
/// answers quickly, so they run on the caller's thread.
final class FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    /// Bytes read at a time.
    static let chunkSize = 64 * 1024

    private struct OpenFile {
        let descriptor: Int32
        var remaining: Int64
    }

    /// The size of the file when it was opened.
    let size: Int64
    /// The open file; nil once it is closed.
    private let file: Mutex<OpenFile?>

    /// Takes ownership of `descriptor`, an open file of `size` bytes positioned at its start.
    init(descriptor: Int32, size: Int64) {
        self.size = size
        self.file = Mutex(OpenFile(descriptor: descriptor, remaining: size))
    }

    deinit {
        file.withLock { file in
            if let open = file { close(open.descriptor) }
        }
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(chunks: self)
    }

    /// Reads the chunks of a `FileChunks`.
    struct Iterator: AsyncIteratorProtocol {
        let chunks: FileChunks

        mutating func next() async throws -> [UInt8]? {
            try Task.checkCancellation()
            return try chunks.nextChunk()
        }
    }

    /// The next chunk, or nil once `size` bytes have been read.
    func nextChunk() throws(KaizenError) -> [UInt8]? {
        try file.withLock { file throws(KaizenError) -> [UInt8]? in
            guard let open = file else { return nil }
            guard open.remaining > 0 else {
                close(open.descriptor)
                file = nil
                return nil
            }
            let wanted = Int(Swift.min(Int64(Self.chunkSize), open.remaining))
            var failure: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
                var count: Int
                repeat {
                    count = read(open.descriptor, buffer.baseAddress, wanted)
                } while count < 0 && errno == EINTR
                if count < 0 { failure = errno }
                initialized = Swift.max(count, 0)
            }
            guard failure == 0, !chunk.isEmpty else {
                close(open.descriptor)
                file = nil
                throw failure != 0
                    ? KaizenError(.internalError, "Could not read artifact (errno \(failure))")
                    : KaizenError(.internalError, "Artifact ended \(open.remaining) bytes early")
            }
            file = OpenFile(descriptor: open.descriptor, remaining: open.remaining - Int64(chunk.count))
            return chunk
        }
    }
}
