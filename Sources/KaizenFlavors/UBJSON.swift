public import KaizenCore

/// Reads Universal Binary JSON (ubjson.org, draft 12), the format XGBoost saves models in by default, into the same
/// `JSONValue` its JSON format gives. Typed, counted containers (`[$d#L...`) are read in one pass; every count and
/// length is checked against the bytes left before anything is allocated, and nesting is bounded, so a hostile file
/// is refused with an error rather than exhausting memory or the stack.
public enum UBJSON {
    public static let maximumDepth = 64

    public static func parse(_ bytes: [UInt8]) throws(FlavorError) -> JSONValue {
        var reader = Reader(bytes: bytes)
        let value = try reader.value(depth: 0)
        guard reader.index == bytes.count else { throw reader.fail("unexpected data after the document") }
        return value
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        func fail(_ reason: String) -> FlavorError {
            FlavorError("Invalid UBJSON at byte \(index): \(reason)")
        }

        mutating func byte() throws(FlavorError) -> UInt8 {
            guard index < bytes.count else { throw fail("unexpected end of data") }
            defer { index += 1 }
            return bytes[index]
        }

        /// `count` big-endian bytes as an unsigned integer.
        mutating func bigEndian(_ count: Int) throws(FlavorError) -> UInt64 {
            guard bytes.count - index >= count else { throw fail("unexpected end of data") }
            var value: UInt64 = 0
            for offset in 0..<count { value = value << 8 | UInt64(bytes[index + offset]) }
            index += count
            return value
        }

        /// An integer written with the marker `marker`.
        mutating func integer(_ marker: UInt8) throws(FlavorError) -> Int64 {
            switch marker {
            case UInt8(ascii: "i"): Int64(Int8(truncatingIfNeeded: try bigEndian(1)))
            case UInt8(ascii: "U"): Int64(try bigEndian(1))
            case UInt8(ascii: "I"): Int64(Int16(truncatingIfNeeded: try bigEndian(2)))
            case UInt8(ascii: "l"): Int64(Int32(truncatingIfNeeded: try bigEndian(4)))
            case UInt8(ascii: "L"): Int64(bitPattern: try bigEndian(8))
            default: throw fail("expected an integer, found marker \(Self.name(marker))")
            }
        }

        /// A length or count: a non-negative integer that the bytes left can hold at `minimumBytesEach` bytes an
        /// element (elements of no bytes, `Z`/`T`/`F`, are capped at 2^28).
        mutating func length(minimumBytesEach: Int) throws(FlavorError) -> Int {
            let value = try integer(try byte())
            guard value >= 0 else { throw fail("negative length \(value)") }
            let limit = minimumBytesEach > 0 ? Int64(bytes.count - index) / Int64(minimumBytesEach) : 1 << 28
            guard value <= limit else { throw fail("length \(value) is more than the data left") }
            return Int(value)
        }

        mutating func string() throws(FlavorError) -> String {
            let count = try length(minimumBytesEach: 1)
            let slice = bytes[index..<index + count]
            index += count
            guard let text = String(validating: slice, as: UTF8.self) else { throw fail("a string is not UTF-8") }
            return text
        }

        mutating func value(depth: Int) throws(FlavorError) -> JSONValue {
            try value(marker: try byte(), depth: depth)
        }

        mutating func value(marker: UInt8, depth: Int) throws(FlavorError) -> JSONValue {
            switch marker {
            case UInt8(ascii: "Z"): return .null
            case UInt8(ascii: "T"): return .bool(true)
            case UInt8(ascii: "F"): return .bool(false)
            case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
                return .integer(try integer(marker))
            case UInt8(ascii: "d"): return .double(Double(Float(bitPattern: UInt32(try bigEndian(4)))))
            case UInt8(ascii: "D"): return .double(Double(bitPattern: try bigEndian(8)))
            case UInt8(ascii: "C"): return .string(String(UnicodeScalar(try byte())))
            case UInt8(ascii: "S"), UInt8(ascii: "H"): return .string(try string())
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            default: throw fail("unknown marker \(Self.name(marker))")
            }
        }

        /// The optional `$type` and `#count` after a container's opening marker.
        mutating func containerHeader() throws(FlavorError) -> (type: UInt8?, count: Int?) {
            var type: UInt8?
            if index < bytes.count, bytes[index] == UInt8(ascii: "$") {
                index += 1
                type = try byte()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "#") else {
                    throw fail("a typed container must give its count")
                }
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "#") else { return (type, nil) }
            index += 1
            // A typed element takes at least one byte ('Z', 'T', 'F' none: bounded by a fixed cap instead).
            let each = type.map(Self.size) ?? 1
            let count = try length(minimumBytesEach: each)
            guard count <= 1 << 28 else { throw fail("a container of \(count) elements is too large") }
            return (type, count)
        }

        mutating func array(depth: Int) throws(FlavorError) -> JSONValue {
            guard depth <= UBJSON.maximumDepth else { throw fail("nesting deeper than \(UBJSON.maximumDepth)") }
            let (type, count) = try containerHeader()
            var items: [JSONValue] = []
            if let count {
                items.reserveCapacity(count)
                for _ in 0..<count {
                    if let type {
                        items.append(try value(marker: type, depth: depth))
                    } else {
                        items.append(try value(depth: depth))
                    }
                }
                return .array(items)
            }
            while true {
                let marker = try byte()
                if marker == UInt8(ascii: "]") { return .array(items) }
                if marker == UInt8(ascii: "N") { continue }
                items.append(try value(marker: marker, depth: depth))
            }
        }

        mutating func object(depth: Int) throws(FlavorError) -> JSONValue {
            guard depth <= UBJSON.maximumDepth else { throw fail("nesting deeper than \(UBJSON.maximumDepth)") }
            let (type, count) = try containerHeader()
            var fields: [(String, JSONValue)] = []
            func field(_ reader: inout Reader) throws(FlavorError) {
                let key = try reader.string()
                if let type {
                    fields.append((key, try reader.value(marker: type, depth: depth)))
                } else {
                    fields.append((key, try reader.value(depth: depth)))
                }
            }
            if let count {
                for _ in 0..<count { try field(&self) }
                return .object(fields)
            }
            while true {
                guard index < bytes.count else { throw fail("unexpected end of data") }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(fields)
                }
                try field(&self)
            }
        }

        /// The fewest bytes one element of a typed container takes.
        static func size(_ marker: UInt8) -> Int {
            switch marker {
            case UInt8(ascii: "I"): 2
            case UInt8(ascii: "l"), UInt8(ascii: "d"): 4
            case UInt8(ascii: "L"), UInt8(ascii: "D"): 8
            case UInt8(ascii: "Z"), UInt8(ascii: "T"), UInt8(ascii: "F"): 0
            default: 1
            }
        }

        static func name(_ marker: UInt8) -> String {
            (32..<127).contains(marker) ? "'\(Character(UnicodeScalar(marker)))'" : "0x\(String(marker, radix: 16))"
        }
    }
}
