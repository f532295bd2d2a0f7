import Foundation

/// What the dynamic loader needs to know of a 64-bit little-endian ELF file: its machine, its interpreter, the
/// libraries it names (`DT_NEEDED`) and where it asks for them to be searched (`DT_RUNPATH`, `DT_RPATH`).
struct ELFFile {
    /// `e_machine`: 62 is x86-64, 183 is AArch64.
    var machine: UInt16
    /// `PT_INTERP`, for example `/lib64/ld-linux-x86-64.so.2`; nil for a static binary or a library.
    var interpreter: String?
    var needed: [String]
    var runPaths: [String]

    /// The OCI architecture name of the machine.
    var architecture: String? {
        switch machine {
        case 62: "amd64"
        case 183: "arm64"
        default: nil
        }
    }

    /// The Debian multiarch triplet of the machine, which names the default library folders.
    var multiarch: String? {
        switch machine {
        case 62: "x86_64-linux-gnu"
        case 183: "aarch64-linux-gnu"
        default: nil
        }
    }

    /// Reads the headers of the file at `path`; an error names what is wrong with it.
    init(path: String) throws(ImageError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImageError(.runtime, "Cannot read \(path)")
        }
        defer { try? handle.close() }
        func bytes(at offset: UInt64, count: Int) throws(ImageError) -> [UInt8] {
            do {
                try handle.seek(toOffset: offset)
                let data = try handle.read(upToCount: count) ?? Data()
                guard data.count == count else { throw ImageError(.runtime, "\(path) is truncated") }
                return Array(data)
            } catch let error as ImageError {
                throw error
            } catch {
                throw ImageError(.runtime, "Cannot read \(path): \(error.localizedDescription)")
            }
        }
        let header = try bytes(at: 0, count: 64)
        guard header[0..<4] == [0x7f, 0x45, 0x4c, 0x46] else {
            throw ImageError(.runtime, "\(path) is not an ELF file")
        }
        guard header[4] == 2, header[5] == 1 else {
            throw ImageError(.runtime, "\(path) is not a 64-bit little-endian ELF file")
        }
        machine = Self.u16(header, 18)
        let programHeaders = Self.u64(header, 32)
        let entrySize = Int(Self.u16(header, 54))
        let count = Int(Self.u16(header, 56))
        guard entrySize >= 56, count < 4096 else { throw ImageError(.runtime, "\(path) has malformed headers") }
        let table = try bytes(at: programHeaders, count: entrySize * count)
        var loads: [(virtual: UInt64, offset: UInt64, size: UInt64)] = []
        var dynamic: (offset: UInt64, size: UInt64)?
        interpreter = nil
        for index in 0..<count {
            let base = index * entrySize
            let type = Self.u32(table, base)
            let offset = Self.u64(table, base + 8)
            let virtual = Self.u64(table, base + 16)
            let fileSize = Self.u64(table, base + 32)
            switch type {
            case 1: loads.append((virtual, offset, fileSize))
            case 2: dynamic = (offset, fileSize)
            case 3:
                guard fileSize < 4096 else { throw ImageError(.runtime, "\(path) has a malformed interpreter") }
                interpreter = String(
                    decoding: try bytes(at: offset, count: Int(fileSize)).prefix { $0 != 0 }, as: UTF8.self)
            default: break
            }
        }
        needed = []
        runPaths = []
        guard let dynamic else { return }
        guard dynamic.size < 1 << 20 else { throw ImageError(.runtime, "\(path) has a malformed dynamic section") }
        let entries = try bytes(at: dynamic.offset, count: Int(dynamic.size))
        var stringTable: UInt64?
        var stringSize: UInt64 = 0
        var neededOffsets: [UInt64] = []
        var runPathOffsets: [UInt64] = []
        for base in stride(from: 0, to: entries.count - 15, by: 16) {
            let tag = Self.u64(entries, base)
            let value = Self.u64(entries, base + 8)
            switch tag {
            case 0: break
            case 1: neededOffsets.append(value)
            case 5: stringTable = value
            case 10: stringSize = value
            case 15, 29: runPathOffsets.append(value)
            default: continue
            }
            if tag == 0 { break }
        }
        guard let stringTable, stringSize < 16 << 20 else { return }
        // DT_STRTAB holds a virtual address: the load segment that maps it gives its offset in the file.
        guard let segment = loads.first(where: { stringTable >= $0.virtual && stringTable < $0.virtual + $0.size })
        else { throw ImageError(.runtime, "\(path): the dynamic string table is outside every segment") }
        let strings = try bytes(at: stringTable - segment.virtual + segment.offset, count: Int(stringSize))
        func string(at offset: UInt64) -> String {
            guard offset < strings.count else { return "" }
            return String(decoding: strings[Int(offset)...].prefix { $0 != 0 }, as: UTF8.self)
        }
        needed = neededOffsets.map(string(at:))
        runPaths = runPathOffsets.flatMap { string(at: $0).split(separator: ":").map(String.init) }
    }

    static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    static func u64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}
