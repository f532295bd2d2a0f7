import CZlib
import Foundation

/// The entries of a ZIP file (skops models are ZIP files), read in memory and never written anywhere. Only flat
/// entry names are accepted (no folders, `..`, absolute or Windows paths), encrypted and ZIP64 archives are refused,
/// every entry's size is bounded and checked, and its CRC-32 must match, so a hostile archive is an error, never a
/// file on disk or an unbounded allocation.
public struct ZipArchive: Sendable {
    public struct Entry: Sendable {
        var method: UInt16
        var compressedSize: Int
        var size: Int
        var crc: UInt32
        var localHeader: Int
    }

    let bytes: [UInt8]
    public private(set) var entries: [String: Entry] = [:]

    /// The most bytes one entry may inflate to, and all entries together.
    public static let maximumEntryBytes = 1 << 30
    public static let maximumTotalBytes = 2 << 30

    public init(bytes: [UInt8]) throws(FlavorError) {
        self.bytes = bytes
        guard let end = Self.endOfCentralDirectory(bytes) else {
            throw FlavorError("The model file is not a ZIP archive (no end of central directory)")
        }
        let count = Int(read16(end + 10))
        var offset = Int(read32(end + 16))
        let directorySize = Int(read32(end + 12))
        guard offset <= end, directorySize <= end - offset, count <= 100_000 else {
            throw FlavorError("The ZIP archive's central directory is out of bounds")
        }
        var total = 0
        for _ in 0..<count {
            guard offset + 46 <= end, read32(offset) == 0x0201_4B50 else {
                throw FlavorError("The ZIP archive's central directory is malformed")
            }
            let flags = read16(offset + 8)
            let method = read16(offset + 10)
            let crc = read32(offset + 16)
            let compressed = read32(offset + 20)
            let size = read32(offset + 24)
            let nameLength = Int(read16(offset + 28))
            let extraLength = Int(read16(offset + 30))
            let commentLength = Int(read16(offset + 32))
            let local = read32(offset + 42)
            guard offset + 46 + nameLength <= end else { throw FlavorError("A ZIP entry name is out of bounds") }
            guard let name = String(validating: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            else { throw FlavorError("A ZIP entry name is not UTF-8") }
            guard Self.isFlat(name) else {
                throw FlavorError("The ZIP archive holds the entry '\(name)', which is not a plain file name")
            }
            guard flags & 1 == 0 else { throw FlavorError("The ZIP entry '\(name)' is encrypted") }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF, local != 0xFFFF_FFFF else {
                throw FlavorError("ZIP64 archives are not supported ('\(name)')")
            }
            guard method == 0 || method == 8 else {
                throw FlavorError("The ZIP entry '\(name)' uses compression method \(method) (stored and deflate only)")
            }
            guard Int(size) <= Self.maximumEntryBytes else {
                throw FlavorError("The ZIP entry '\(name)' declares \(size) bytes, more than \(Self.maximumEntryBytes)")
            }
            total += Int(size)
            guard total <= Self.maximumTotalBytes else {
                throw FlavorError("The ZIP archive declares more than \(Self.maximumTotalBytes) bytes in all")
            }
            guard entries[name] == nil else { throw FlavorError("The ZIP archive holds '\(name)' twice") }
            entries[name] = Entry(
                method: method, compressedSize: Int(compressed), size: Int(size), crc: crc, localHeader: Int(local))
            offset += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of entry `name`, inflated and checked against its size and CRC-32.
    public func data(_ name: String) throws(FlavorError) -> [UInt8] {
        guard let entry = entries[name] else { throw FlavorError("The ZIP archive has no entry '\(name)'") }
        let header = entry.localHeader
        guard header + 30 <= bytes.count, read32(header) == 0x0403_4B50 else {
            throw FlavorError("The ZIP entry '\(name)' has no local header")
        }
        let start = header + 30 + Int(read16(header + 26)) + Int(read16(header + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw FlavorError("The ZIP entry '\(name)' runs past the end of the archive")
        }
        let stored = Array(bytes[start..<(start + entry.compressedSize)])
        let content = entry.method == 0 ? stored : try Self.inflate(stored, size: entry.size, name: name)
        guard content.count == entry.size else {
            throw FlavorError("The ZIP entry '\(name)' holds \(content.count) bytes, not the \(entry.size) declared")
        }
        let crc = content.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
        guard crc == entry.crc else { throw FlavorError("The ZIP entry '\(name)' fails its CRC-32 check") }
        return content
    }

    /// Raw deflate into at most `size` bytes (one more is room to see that the data would not stop there).
    static func inflate(_ input: [UInt8], size: Int, name: String) throws(FlavorError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size + 1)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FlavorError("zlib cannot start inflating '\(name)'")
        }
        defer { inflateEnd(&stream) }
        var input = input
        let (status, produced) = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let status = CZlib.inflate(&stream, Z_FINISH)
                return (status, target.count - Int(stream.avail_out))
            }
        }
        guard status == Z_STREAM_END, produced <= size else {
            throw FlavorError("The ZIP entry '\(name)' does not inflate to its declared \(size) bytes")
        }
        return Array(output[..<produced])
    }

    static func isFlat(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && !name.contains("/") && !name.contains("\\") && name != "."
            && name != ".." && !name.contains("\0") && !name.hasPrefix("~")
    }

    static func endOfCentralDirectory(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - 22 - 65_535)
        var offset = bytes.count - 22
        while offset >= lowest {
            if bytes[offset] == 0x50, bytes[offset + 1] == 0x4B, bytes[offset + 2] == 0x05, bytes[offset + 3] == 0x06 {
                return offset
            }
            offset -= 1
        }
        return nil
    }

    func read16(_ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func read32(_ offset: Int) -> UInt32 {
        UInt32(read16(offset)) | UInt32(read16(offset + 2)) << 16
    }
}
