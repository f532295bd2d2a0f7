public import KaizenCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// A file mapped read-only into memory: readers scan its bytes in place, and the kernel pages them in and out, so a
/// file larger than memory can still be read.
public final class MappedFile: @unchecked Sendable {
    /// The file's bytes; empty for an empty file.
    public let bytes: UnsafeBufferPointer<UInt8>
    let base: UnsafeMutableRawPointer?
    let length: Int

    /// Maps the regular file at `path`.
    public init(path: String) throws(KaizenError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .invalidParameter("Cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .invalidParameter("'\(path)' is not a regular file")
        }
        length = Int(status.st_size)
        guard length > 0 else {
            base = nil
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw .invalidParameter("Cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        _ = madvise(address, length, MADV_SEQUENTIAL)
        base = address
        bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: length)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}
