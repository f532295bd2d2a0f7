import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regular file opened for reading in chunks, which checks that it reads exactly the size the file had when it
/// was opened (a file that grows or shrinks meanwhile is an error, never a silently different layer).
final class FileReader {
    let path: String
    let size: Int64
    private var descriptor: Int32
    private var remaining: Int64

    /// Opens `path` without following a final symbolic link; anything but a regular file is refused.
    init(path: String) throws(ImageError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw ImageError(.io, "Cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ImageError(.unsafeFile, "\(path) is not a regular file")
        }
        self.path = path
        self.descriptor = descriptor
        self.size = Int64(status.st_size)
        self.remaining = Int64(status.st_size)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Calls `body` with successive chunks of at most `chunkSize` bytes until the file's size has been read.
    func forEachChunk(
        chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws(ImageError) -> Void
    ) throws(ImageError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while let count = try nextChunk(into: buffer) {
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Reads the next chunk into `buffer`; the number of bytes read, or nil once the file's size has been read.
    func nextChunk(into buffer: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int? {
        guard remaining > 0 else {
            var probe: UInt8 = 0
            if read(descriptor, &probe, 1) > 0 {
                throw ImageError(.io, "\(path) grew while it was being read")
            }
            return nil
        }
        let wanted = Int(min(Int64(buffer.count), remaining))
        var count: Int
        repeat {
            count = read(descriptor, buffer.baseAddress, wanted)
        } while count < 0 && errno == EINTR
        guard count > 0 else {
            throw count < 0
                ? ImageError(.io, "Cannot read \(path): \(String(cString: strerror(errno)))")
                : ImageError(.io, "\(path) shrank while it was being read (\(remaining) bytes missing)")
        }
        remaining -= Int64(count)
        return count
    }
}

/// A file created for writing, written in full or not at all: bytes go to a hidden file beside the target, which
/// is renamed over the target by `commit()` and removed if the writer is dropped before.
final class FileWriter {
    let target: String
    let temporary: String
    private var descriptor: Int32
    private(set) var count: Int64 = 0

    init(path: String) throws(ImageError) {
        let folder = (path as NSString).deletingLastPathComponent
        temporary = folder + "/.kaizen-\(UUID().uuidString).partial"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ImageError(.io, "Cannot create a file in \(folder): \(String(cString: strerror(errno)))")
        }
        target = path
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(ImageError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ImageError(.io, "Cannot write \(target): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        count += Int64(bytes.count)
    }

    func append(_ bytes: [UInt8]) throws(ImageError) {
        try bytes.withBytes(append)
    }

    /// Flushes the file to disk and moves it to its target path.
    func commit() throws(ImageError) {
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw ImageError(.io, "Cannot write \(target): \(String(cString: strerror(errno)))")
        }
        descriptor = -1
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ImageError(.io, "Cannot write \(target): \(reason)")
        }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws ``ImageError``.
    func withBytes(_ body: (UnsafeRawBufferPointer) throws(ImageError) -> Void) throws(ImageError) {
        var failure: ImageError?
        withUnsafeBytes { raw in
            do throws(ImageError) { try body(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
