/// POSIX tar headers (ustar, with pax extended headers where ustar's fields are too small), written the same way
/// for the same entry every time: numeric owners without names, a fixed time, no device numbers.
enum TarHeader {
    static let blockSize = 512

    enum TypeFlag: UInt8 {
        case file = 0x30  // '0'
        case symlink = 0x32  // '2'
        case directory = 0x35  // '5'
        case paxExtended = 0x78  // 'x'
    }

    /// The header blocks for one entry: a pax header first when the name, the link target or the size does not fit
    /// ustar's fields, then the ustar header.
    static func blocks(
        name: String, type: TypeFlag, size: Int64, mode: UInt32, uid: Int, gid: Int, linkTarget: String = "",
        mtime: Int64
    ) -> [UInt8] {
        var records: [(String, String)] = []
        if name.utf8.count > 100 { records.append(("path", name)) }
        if linkTarget.utf8.count > 100 { records.append(("linkpath", linkTarget)) }
        if size > 0o77777777777 { records.append(("size", String(size))) }
        var result: [UInt8] = []
        if !records.isEmpty {
            let pax = paxRecords(records)
            // The pax header's own name is derived from the entry's, so it is the same in every build.
            result += header(
                name: "PaxHeaders/" + String(decoding: name.utf8.suffix(80), as: UTF8.self), type: .paxExtended,
                size: Int64(pax.count), mode: 0o644, uid: 0, gid: 0, linkTarget: "", mtime: mtime)
            result += pax
            result += padding(for: Int64(pax.count))
        }
        result += header(
            name: name, type: type, size: size > 0o77777777777 ? 0 : size, mode: mode, uid: uid, gid: gid,
            linkTarget: linkTarget, mtime: mtime)
        return result
    }

    /// Zero bytes that fill the last block of `size` bytes of content.
    static func padding(for size: Int64) -> [UInt8] {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? [] : [UInt8](repeating: 0, count: blockSize - remainder)
    }

    /// The two zero blocks that end an archive.
    static var end: [UInt8] { [UInt8](repeating: 0, count: 2 * blockSize) }

    /// Pax records, `"<length> <key>=<value>\n"`, where the length counts the whole record, its own digits included.
    static func paxRecords(_ records: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (key, value) in records {
            let body = " \(key)=\(value)\n".utf8.count
            var length = body + String(body).count
            if String(length).count != String(body).count { length = body + String(length).count }
            bytes += Array("\(length) \(key)=\(value)\n".utf8)
        }
        return bytes
    }

    static func header(
        name: String, type: TypeFlag, size: Int64, mode: UInt32, uid: Int, gid: Int, linkTarget: String, mtime: Int64
    ) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: some Collection<UInt8>, at offset: Int, width: Int) {
            for (index, byte) in bytes.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            // width - 1 digits, zero-padded, then NUL.
            let digits = String(value, radix: 8)
            put(
                Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8), at: offset,
                width: width - 1)
        }
        put(name.utf8, at: 0, width: 100)
        octal(Int64(mode & 0o7777), at: 100, width: 8)
        octal(Int64(uid), at: 108, width: 8)
        octal(Int64(gid), at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(max(0, mtime), at: 136, width: 12)
        block[156] = type.rawValue
        put(linkTarget.utf8, at: 157, width: 100)
        put("ustar\0".utf8, at: 257, width: 6)
        put("00".utf8, at: 263, width: 2)
        octal(0, at: 329, width: 8)
        octal(0, at: 337, width: 8)
        // The checksum is computed with its own field as spaces, then written as six digits, NUL, space.
        put([UInt8](repeating: 0x20, count: 8), at: 148, width: 8)
        let sum = block.reduce(0) { $0 + Int64($1) }
        let digits = String(sum, radix: 8)
        put(Array((String(repeating: "0", count: max(0, 6 - digits.count)) + digits).utf8), at: 148, width: 6)
        block[154] = 0
        block[155] = 0x20
        return block
    }
}
