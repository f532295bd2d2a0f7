/// Where JSON is written to, one token at a time: straight into bytes (``JSONWriter``, for large responses) or into
/// a ``JSONValue`` (``JSONTreeBuilder``). An encoding written once against this protocol serves both.
public protocol JSONOutput {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// The key of the next value inside an object.
    mutating func key(_ key: String)
    /// The key of the next value inside an object, a literal of the code (the field helpers' keys): it holds no
    /// character that JSON escapes, so it can be copied as it is.
    mutating func key(literal key: StaticString)
    mutating func value(_ value: JSONValue)
    mutating func string(_ value: String)
    mutating func integer(_ value: Int64)
    /// Non-finite values as ``JSONValue/write(to:)`` writes them.
    mutating func double(_ value: Double)
}

// The helpers are inlinable so that each module's encodings get them specialized for the output they write: called
// generically, `repeated` looked type metadata up for every array (6% of a 1,000-run search page's CPU).
extension JSONOutput {
    @inlinable public mutating func key(literal key: StaticString) { self.key(key.description) }

    /// An object whose fields `body` writes.
    @inlinable public mutating func object(_ body: (inout Self) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    @inlinable public mutating func field(_ key: StaticString, _ value: String) {
        self.key(literal: key)
        string(value)
    }

    /// Leaves the field out when `value` is nil.
    @inlinable public mutating func field(_ key: StaticString, _ value: String?) {
        if let value { field(key, value) }
    }

    @inlinable public mutating func field(_ key: StaticString, _ value: Int64) {
        self.key(literal: key)
        integer(value)
    }

    /// Leaves the field out when `value` is nil.
    @inlinable public mutating func field(_ key: StaticString, _ value: Int64?) {
        if let value { field(key, value) }
    }

    @inlinable public mutating func field(_ key: StaticString, _ value: Double) {
        self.key(literal: key)
        double(value)
    }

    /// A field whose value is an object that `body` writes.
    @inlinable public mutating func field(_ key: StaticString, object body: (inout Self) -> Void) {
        self.key(literal: key)
        object(body)
    }

    /// A repeated field as protobuf JSON writes it: an array of what `body` writes for each item, left out when
    /// there are no items.
    @inlinable public mutating func repeated<Items: Collection>(
        _ key: StaticString, _ items: Items, _ body: (inout Self, Items.Element) -> Void
    ) {
        guard !items.isEmpty else { return }
        self.key(literal: key)
        beginArray()
        for item in items { body(&self, item) }
        endArray()
    }
}

/// Writes compact JSON text straight into bytes, the same text ``JSONValue/serialized()`` gives, without building
/// the value first.
public struct JSONWriter: JSONOutput, Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next token needs a comma before it: something was written at this level already.
    var needsComma = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Appends the values `other` wrote at its top level (no brackets around them) as further elements of the array
    /// being written, so that parts of a long array can be written apart, on several cores, and joined.
    public mutating func appendElements(of other: JSONWriter) {
        guard !other.bytes.isEmpty else { return }
        separate()
        bytes.append(contentsOf: other.bytes)
        needsComma = true
    }

    /// Appends one value written apart (the bytes of another writer's top level, kept from an earlier request) as
    /// the next element of the array being written.
    public mutating func appendElement(serialized value: [UInt8]) {
        separate()
        bytes.append(contentsOf: value)
        needsComma = true
    }

    /// Appends values that `body` writes straight into the buffer, at most `maxCount` bytes, comma-separated, as
    /// further elements of the array being written; `body` returns how many bytes it wrote. For a long run of small
    /// values, each of which would otherwise check the array's capacity and uniqueness in several appends.
    public mutating func appendElements(maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = bytes.count + (needsComma ? 1 : 0)
        bytes.append(contentsOf: repeatElement(0, count: start - bytes.count + maxCount))
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            let count = body(buffer.baseAddress! + start)
            precondition(count <= maxCount, "wrote \(count) bytes into \(maxCount)")
            return count
        }
        guard written > 0 else {
            bytes.removeLast(bytes.count - start + (needsComma ? 1 : 0))
            return
        }
        if needsComma { bytes[start - 1] = UInt8(ascii: ",") }
        bytes.removeLast(maxCount - written)
        needsComma = true
    }

    /// Writes `value` as ``integer(_:)`` does at `target`; returns the number of bytes (at most 20).
    public static func put(_ value: Int64, at target: UnsafeMutablePointer<UInt8>) -> Int {
        var start = target
        if value < 0 {
            start.pointee = UInt8(ascii: "-")
            start += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        while digits < 20, magnitude >= power {
            digits += 1
            power &*= 10
        }
        // Two digits per 64-bit division; each pair is split with 32-bit arithmetic.
        var cursor = start + digits
        while magnitude >= 100 {
            let pair = UInt32(truncatingIfNeeded: magnitude % 100)
            magnitude /= 100
            cursor -= 2
            cursor[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair / 10)
            cursor[1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair % 10)
        }
        if magnitude >= 10 {
            let pair = UInt32(truncatingIfNeeded: magnitude)
            cursor[-2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair / 10)
            cursor[-1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair % 10)
        } else {
            cursor[-1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
        }
        return start + digits - target
    }

    /// The most bytes ``put(_:at:)-(Double,_)`` writes.
    public static let maxDoubleBytes = 32

    /// Writes `value` as ``double(_:)`` does at `target`; returns the number of bytes (at most ``maxDoubleBytes``).
    public static func put(_ value: Double, at target: UnsafeMutablePointer<UInt8>) -> Int {
        func copy(_ text: StaticString) -> Int {
            text.withUTF8Buffer { target.update(from: $0.baseAddress!, count: $0.count) }
            return text.utf8CodeUnitCount
        }
        if value.isNaN { return copy("\"NaN\"") }
        if value.isInfinite { return value > 0 ? copy("\"Infinity\"") : copy("\"-Infinity\"") }
        var text = value.description
        return text.withUTF8 { utf8 in
            // The longest shortest form is 24 bytes (`-2.2250738585072014e-308`).
            target.update(from: utf8.baseAddress!, count: utf8.count)
            return utf8.count
        }
    }

    public mutating func key(_ key: String) {
        separate()
        JSONValue.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// The comma, the quoted key and the colon go in as one append: a key is written for every field of every
    /// item (four per point of a 10,000-point history), and each append checks the buffer's capacity and uniqueness.
    public mutating func key(literal key: StaticString) {
        let comma = needsComma
        needsComma = false
        key.withUTF8Buffer { utf8 in
            assert(utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count + 4) { buffer in
                var count = 0
                func put(_ byte: UInt8) {
                    buffer[count] = byte
                    count += 1
                }
                if comma { put(UInt8(ascii: ",")) }
                put(UInt8(ascii: "\""))
                if let start = utf8.baseAddress, let target = buffer.baseAddress {
                    (target + count).update(from: start, count: utf8.count)
                    count += utf8.count
                }
                put(UInt8(ascii: "\""))
                put(UInt8(ascii: ":"))
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        value.write(to: &bytes)
        needsComma = true
    }

    public mutating func string(_ value: String) {
        separate()
        JSONValue.writeString(value, to: &bytes)
        needsComma = true
    }

    public mutating func integer(_ value: Int64) {
        separate()
        JSONValue.writeInteger(value, to: &bytes)
        needsComma = true
    }

    public mutating func double(_ value: Double) {
        separate()
        JSONValue.writeDouble(value, to: &bytes)
        needsComma = true
    }
}

/// Builds the ``JSONValue`` that a sequence of ``JSONOutput`` calls describes.
public struct JSONTreeBuilder: JSONOutput {
    enum Container {
        case object([(String, JSONValue)], key: String?)
        case array([JSONValue], key: String?)
    }

    var open: [Container] = []
    var pendingKey: String?
    /// The finished value, once the outermost one is complete.
    public private(set) var result: JSONValue = .null

    public init() {}

    /// The value that `body` writes.
    public static func build(_ body: (inout JSONTreeBuilder) -> Void) -> JSONValue {
        var builder = JSONTreeBuilder()
        body(&builder)
        return builder.result
    }

    mutating func takeKey() -> String? {
        defer { pendingKey = nil }
        return pendingKey
    }

    mutating func add(_ value: JSONValue, key: String?) {
        switch open.popLast() {
        case .object(var fields, let parentKey):
            fields.append((key ?? "", value))
            open.append(.object(fields, key: parentKey))
        case .array(var items, let parentKey):
            items.append(value)
            open.append(.array(items, key: parentKey))
        case nil:
            result = value
        }
    }

    public mutating func beginObject() { open.append(.object([], key: takeKey())) }

    public mutating func endObject() {
        guard case .object(let fields, let key) = open.popLast() else { return }
        add(.object(fields), key: key)
    }

    public mutating func beginArray() { open.append(.array([], key: takeKey())) }

    public mutating func endArray() {
        guard case .array(let items, let key) = open.popLast() else { return }
        add(.array(items), key: key)
    }

    public mutating func key(_ key: String) { pendingKey = key }

    public mutating func value(_ value: JSONValue) { add(value, key: takeKey()) }

    public mutating func string(_ value: String) { add(.string(value), key: takeKey()) }

    public mutating func integer(_ value: Int64) { add(.integer(value), key: takeKey()) }

    public mutating func double(_ value: Double) { add(.double(value), key: takeKey()) }
}
