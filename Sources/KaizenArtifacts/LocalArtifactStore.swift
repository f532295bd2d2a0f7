import Foundation
import KaizenCore

/// Artifacts as files under one root folder. Every access resolves symlinks and refuses any path whose
/// real location is outside the root, so a symlink planted in the tree cannot be used to escape it.
public struct LocalArtifactStore: ArtifactStore {
    /// The real (symlink-free) path of the root folder.
    public let root: String

    /// Uses `root` as the artifact root, creating it if needed.
    public init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        guard let real = Self.realPath(root) else {
            throw KaizenError(.internalError, "Cannot resolve artifact root \(root)")
        }
        self.root = real
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func isInsideRoot(_ real: String) -> Bool {
        real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    func joined(_ path: ArtifactPath) -> String {
        path.isRoot ? root : root + "/" + path.description
    }

    /// The real path of an existing entry, refused when it resolves outside the root.
    func resolveExisting(_ path: ArtifactPath) throws(KaizenError) -> String? {
        let candidate = joined(path)
        guard let real = Self.realPath(candidate) else { return nil }
        guard isInsideRoot(real) else { throw ArtifactPath.invalid }
        return real
    }

    /// The entries of a directory, sorted by name, leaving out uploads in progress and symlinks that lead out
    /// of the root.
    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        guard let directory = try resolveExisting(path) else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        var entries: [ArtifactEntry] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        where !name.hasPrefix(ArtifactUpload.temporaryPrefix) {
            guard let real = Self.realPath(directory + "/" + name), isInsideRoot(real) else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir) else { continue }
            let size =
                isDir.boolValue
                ? nil : (try? FileManager.default.attributesOfItem(atPath: real)[.size] as? NSNumber)?.int64Value
            entries.append(ArtifactEntry(name: name, isDirectory: isDir.boolValue, size: size))
        }
        return entries
    }

    /// Opens a file and returns its bytes, read in chunks as they are iterated; the size is the file's when
    /// opened.
    public func read(_ path: ArtifactPath) async throws -> ArtifactContent {
        let (descriptor, size) = try openFile(path)
        let chunks = FileChunks(descriptor: descriptor, size: size)
        return ArtifactContent(size: chunks.size, chunks: chunks)
    }

    /// Opens a file at the start of `range` and reads only the range.
    public func read(_ path: ArtifactPath, range: ClosedRange<Int64>) async throws -> ArtifactContent {
        let (descriptor, size) = try openFile(path)
        guard range.lowerBound >= 0, range.upperBound < size, lseek(descriptor, off_t(range.lowerBound), SEEK_SET) >= 0
        else {
            close(descriptor)
            throw KaizenError.invalidParameter("Byte range \(range) is outside the artifact's \(size) bytes")
        }
        let chunks = FileChunks(descriptor: descriptor, size: range.upperBound - range.lowerBound + 1)
        return ArtifactContent(size: chunks.size, chunks: chunks)
    }

    /// An open descriptor of a regular file inside the root and its size; missing files, directories and anything
    /// else are refused before a byte is read.
    func openFile(_ path: ArtifactPath) throws -> (Int32, Int64) {
        let missing = KaizenError.notFound("No such artifact: '\(path)'")
        guard !path.isRoot, let real = try resolveExisting(path) else { throw missing }
        // `real` has no symlink left; O_NOFOLLOW refuses one swapped in since. O_NONBLOCK keeps a FIFO planted
        // in the tree from blocking the open; it changes nothing for a regular file.
        let descriptor = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let failure = errno
            if failure == ENOENT { throw missing }
            if failure == ELOOP { throw ArtifactPath.invalid }
            throw KaizenError(.internalError, "Could not open artifact (errno \(failure))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = errno
            close(descriptor)
            throw KaizenError(.internalError, "Could not open artifact (errno \(failure))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            return (descriptor, Int64(status.st_size))
        case S_IFDIR:
            close(descriptor)
            throw KaizenError.invalidParameter("Artifact path refers to a directory")
        default:
            close(descriptor)
            throw missing
        }
    }

    /// Writes to a temporary file beside the destination and renames it into place once `chunks` has ended.
    public func write<Chunks: AsyncSequence & Sendable>(
        _ path: ArtifactPath, from chunks: Chunks
    ) async throws -> Int64 where Chunks.Element == [UInt8] {
        let upload = try ArtifactUpload(directory: try parentForWriting(path), name: path.name)
        let written: Int64
        // The loop is a function of its own: with it inline in this do/catch, Swift 6.3's optimizer crashes
        // (signal 11, splitting the coroutine) in release builds.
        do {
            written = try await Self.copy(chunks, into: upload)
        } catch {
            upload.discard()
            throw error
        }
        try upload.commit()
        return written
    }

    /// Appends every chunk to `upload`; the count of bytes written. A source may end early when its task is cancelled
    /// (AsyncStream does), so cancellation is an error here: what may be a part is never stored.
    static func copy<Chunks: AsyncSequence>(
        _ chunks: Chunks, into upload: ArtifactUpload
    ) async throws -> Int64 where Chunks.Element == [UInt8] {
        var written: Int64 = 0
        var iterator = chunks.makeAsyncIterator()
        while let chunk = try await iterator.next() {
            try upload.append(chunk)
            written += Int64(chunk.count)
        }
        try Task.checkCancellation()
        return written
    }

    /// The real path of the folder that will hold `path`, after checking that the destination is not a folder.
    ///
    /// Walks the parent folders from the root: existing ones must resolve inside the root (no symlink out),
    /// missing ones are created as real folders.
    func parentForWriting(_ path: ArtifactPath) throws -> String {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        var current = root
        for segment in path.segments.dropLast() {
            let next = current + "/" + segment
            if let real = Self.realPath(next) {
                guard isInsideRoot(real) else { throw ArtifactPath.invalid }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue
                else { throw KaizenError.invalidParameter("Artifact path '\(path)' crosses a file") }
                current = real
            } else {
                try FileManager.default.createDirectory(atPath: next, withIntermediateDirectories: false)
                guard let real = Self.realPath(next), isInsideRoot(real) else { throw ArtifactPath.invalid }
                current = real
            }
        }
        if let real = Self.realPath(current + "/" + path.name) {
            guard isInsideRoot(real) else { throw ArtifactPath.invalid }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue {
                throw KaizenError.invalidParameter("Artifact path refers to a directory")
            }
        }
        return current
    }

    /// Deletes a file or a directory tree. A symlink is removed itself, never what it points to.
    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw KaizenError.invalidParameter("Refusing to delete the artifact root") }
        let candidate = joined(path)
        // The entry itself may be a symlink (removing the link is safe); its parent must resolve inside.
        guard let parent = Self.realPath((candidate as NSString).deletingLastPathComponent) else { return }
        guard isInsideRoot(parent) else { throw ArtifactPath.invalid }
        let target = parent + "/" + path.name
        guard (try? FileManager.default.attributesOfItem(atPath: target)) != nil else { return }
        try FileManager.default.removeItem(atPath: target)
    }
}
