import KaizenCore

/// Walks the fields of RFC 4180 CSV text in place: quoted fields may hold commas, doubled quotes and line breaks;
/// `\r\n` and `\n` both end a row.
struct CSVCursor {
    /// Where a field's content is: `start..<end` of the text, or the cursor's scratch buffer when it held doubled
    /// quotes.
    struct Field {
        var start: Int
        var end: Int
        var unescaped: Bool
        var endsRow: Bool
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    /// The line the cursor is on, for error messages.
    var line = 1
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The next field. Call only when not at the end.
    mutating func next() throws(KaizenError) -> Field {
        let count = bytes.count
        if position < count && bytes[position] == UInt8(ascii: "\"") {
            return try quoted()
        }
        let start = position
        var index = position
        // Eight bytes at a time to the first comma or line break; the loop below then takes it.
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            while index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let found = Self.zeroBytes(word ^ (ones &* 0x2C), low) | Self.zeroBytes(word ^ (ones &* 0x0A), low)
                if found != 0 {
                    index += found.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
        }
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") {
                position = index + 1
                return Field(start: start, end: index, unescaped: false, endsRow: false)
            }
            if byte == 0x0A {
                position = index + 1
                line += 1
                let end = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
                return Field(start: start, end: end, unescaped: false, endsRow: true)
            }
            index += 1
        }
        position = count
        let end = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
        return Field(start: start, end: end, unescaped: false, endsRow: true)
    }

    mutating func quoted() throws(KaizenError) -> Field {
        let openingLine = line
        let count = bytes.count
        var index = position + 1
        let start = index
        var escaped = false
        while true {
            guard index < count else {
                throw .invalidParameter("Invalid CSV: the quoted field opened on line \(openingLine) is not closed")
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if index + 1 < count && bytes[index + 1] == UInt8(ascii: "\"") {
                    escaped = true
                    index += 2
                    continue
                }
                break
            }
            if byte == 0x0A { line += 1 }
            index += 1
        }
        let end = index
        index += 1
        var endsRow = true
        if index < count {
            switch bytes[index] {
            case UInt8(ascii: ","):
                endsRow = false
                index += 1
            case 0x0A:
                line += 1
                index += 1
            case 0x0D where index + 1 < count && bytes[index + 1] == 0x0A:
                line += 1
                index += 2
            default:
                throw .invalidParameter("Invalid CSV: text after a closing quote on line \(line)")
            }
        }
        position = index
        guard escaped else { return Field(start: start, end: end, unescaped: false, endsRow: endsRow) }
        scratch.removeAll(keepingCapacity: true)
        var source = start
        while source < end {
            scratch.append(bytes[source])
            source += bytes[source] == UInt8(ascii: "\"") ? 2 : 1
        }
        return Field(start: 0, end: scratch.count, unescaped: true, endsRow: endsRow)
    }

    /// Moves past up to `count` fields of a row in text without quotes, eight bytes at a time. Returns false when
    /// the row ended first (the cursor is then at the next row).
    mutating func skipFields(_ count: Int) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var remaining = count
        var index = position
        let end = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        while remaining > 0 {
            if index + 8 <= end {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let commas = Self.zeroBytes(word ^ (ones &* 0x2C), low)
                let breaks = Self.zeroBytes(word ^ (ones &* 0x0A), low)
                let found = commas.nonzeroBitCount
                if breaks == 0 && found < remaining {
                    remaining -= found
                    index += 8
                    continue
                }
            }
            // A line break or the field sought is in the next bytes: one at a time.
            guard index < end else {
                position = end
                return false
            }
            let byte = bytes[index]
            index += 1
            if byte == 0x0A {
                position = index
                line += 1
                return false
            }
            if byte == UInt8(ascii: ",") { remaining -= 1 }
        }
        position = index
        return true
    }

    /// Moves past the rest of a row in text without quotes, eight bytes at a time, and returns how many fields it
    /// held (its commas plus one).
    mutating func skipRest() -> Int {
        guard let base = bytes.baseAddress else { return 1 }
        var fields = 1
        var index = position
        let end = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        while index + 8 <= end {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if Self.zeroBytes(word ^ (ones &* 0x0A), low) != 0 { break }
            fields += Self.zeroBytes(word ^ (ones &* 0x2C), low).nonzeroBitCount
            index += 8
        }
        while index < end {
            let byte = bytes[index]
            index += 1
            if byte == 0x0A {
                line += 1
                break
            }
            if byte == UInt8(ascii: ",") { fields += 1 }
        }
        position = index
        return fields
    }

    /// 0x80 in each byte of `word` that is zero, exactly (no borrow between bytes).
    @inline(__always)
    static func zeroBytes(_ word: UInt64, _ low: UInt64) -> UInt64 {
        ~(((word & low) &+ low) | word | low)
    }

    /// Calls `body` with the field's content.
    func withContent<Result>(_ field: Field, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if field.unescaped {
            return scratch.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[field.start..<field.end])) }
        }
        return body(UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
    }
}
