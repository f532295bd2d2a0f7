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

    /// Lets the kernel drop the pages from byte `start` to byte `offset` from this process's memory (they are read
    /// again from the file if touched), so a reader that has passed them does not hold the whole file resident. A
    /// reader that goes on passes the offset it released before as `start`, so that no call walks the pages an
    /// earlier one let go.
    public func release(from start: Int = 0, before offset: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = max(0, start) / page * page
        let end = min(offset, length) / page * page
        if end > first { _ = madvise(base + first, end - first, MADV_DONTNEED) }
    }

    /// Line breaks in the file, and whether it holds a double quote, found in one pass that lets pages go behind
    /// it.
    public func survey() -> (lines: Int, hasQuotes: Bool) {
        guard let start = bytes.baseAddress else { return (0, false) }
        var lines = 0
        var hasQuotes = false
        let chunk = 16 << 20
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            if !hasQuotes { hasQuotes = memchr(start + offset, 0x22, end - offset) != nil }
            var position = offset
            while position < end, let found = memchr(start + position, 0x0A, end - position) {
                lines += 1
                position = start.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            }
            release(from: offset, before: end)
            offset = end
        }
        return (lines, hasQuotes)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}
