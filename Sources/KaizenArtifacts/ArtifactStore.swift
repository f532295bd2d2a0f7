/// Where artifacts live: the local filesystem today, an object store behind the same protocol later.
///
/// Bytes stream in and out in chunks, so an artifact never has to fit in memory and a store never has to
/// expose a filesystem path. Every `ArtifactPath` has passed the traversal checks; a store also refuses any
/// path that would reach outside its root by other means (a symlink, for a filesystem).
public protocol ArtifactStore: Sendable {
    /// The entries of a directory, sorted by name, with the sizes of files; empty when the directory does not
    /// exist or is a file.
    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]

    /// The bytes of a file, read on demand as the content is iterated.
    ///
    /// Throws `RESOURCE_DOES_NOT_EXIST` when the file is missing and `INVALID_PARAMETER_VALUE` when the path
    /// is a directory, before any byte is read, so a caller can still answer with an error.
    func read(_ path: ArtifactPath) async throws -> ArtifactContent

    /// The bytes `range` of a file (inclusive; the upper bound below the file's size), with the same errors as
    /// `read(_:)`; the content's `size` is the range's length. A default reads from the start and skips.
    func read(_ path: ArtifactPath, range: ClosedRange<Int64>) async throws -> ArtifactContent

    /// Stores the bytes of `chunks` as the file at `path`, replacing any file there, and returns how many bytes
    /// were stored.
    ///
    /// The file appears whole or not at all: if `chunks` throws or the task is cancelled before the last chunk
    /// is stored, whatever was at `path` is left untouched and nothing of the upload remains. Missing parent
    /// directories are created. Throws `INVALID_PARAMETER_VALUE` when `path` is the root or a directory, or when
    /// a parent is a file.
    func write<Chunks: AsyncSequence & Sendable>(_ path: ArtifactPath, from chunks: Chunks) async throws -> Int64
    where Chunks.Element == [UInt8]

    /// Deletes a file or a directory tree; a missing path is not an error, the root cannot be deleted.
    func delete(_ path: ArtifactPath) async throws

    /// The path in this store of a storage URI that points inside it (an `s3://bucket/prefix/...` URI under an S3
    /// store's location), so runs whose clients write to the storage directly can still be listed; nil for any
    /// other URI. A default answers nil.
    func path(ofURI uri: String) -> ArtifactPath?
}

extension ArtifactStore {
    /// No storage URI points inside a store unless it says so.
    public func path(ofURI uri: String) -> ArtifactPath? { nil }

    /// The bytes `range` of a file (inclusive bounds, the upper one below the file's size), as `read(_:)` answers
    /// them: errors before any byte, `size` the length of the range.
    ///
    /// This default reads the file from its start and drops what comes before the range; a store that can start
    /// reading anywhere (a file, an object store's range request) does better.
    public func read(_ path: ArtifactPath, range: ClosedRange<Int64>) async throws -> ArtifactContent {
        let content = try await read(path)
        return ArtifactContent(
            size: range.upperBound - range.lowerBound + 1, chunks: RangeChunks(content, range: range))
    }
}

/// The chunks of `content` that fall in `range`, cut to it.
struct RangeChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let content: ArtifactContent
    let range: ClosedRange<Int64>

    init(_ content: ArtifactContent, range: ClosedRange<Int64>) {
        self.content = content
        self.range = range
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(base: content.makeAsyncIterator(), range: range)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: ArtifactContent.AsyncIterator
        let range: ClosedRange<Int64>
        var offset: Int64 = 0

        mutating func next() async throws -> [UInt8]? {
            while offset <= range.upperBound, let chunk = try await base.next() {
                let start = offset
                offset += Int64(chunk.count)
                guard offset > range.lowerBound else { continue }
                let from = Int(Swift.max(range.lowerBound - start, 0))
                let to = Int(Swift.min(range.upperBound + 1 - start, Int64(chunk.count)))
                return Array(chunk[from..<to])
            }
            return nil
        }
    }
}
