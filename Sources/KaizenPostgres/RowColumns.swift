import NIOCore
import PostgresNIO

/// Reads a result row's columns in order, each decoded as the type its reader names. For the hot paths that read
/// thousands of rows per request (metric histories, the runs of a search page): decoding a row as a tuple looks the
/// tuple's type metadata up for every row, and iterating rows one `await` at a time costs a task switch each.
struct RowColumns {
    var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        cells = row.makeIterator()
    }

    mutating func nextCell() throws -> PostgresCell {
        guard let cell = cells.next() else { throw PostgresStoreError("a result row has fewer columns than read") }
        return cell
    }

    mutating func next<Value: PostgresDecodable>(_ type: Value.Type = Value.self) throws -> Value {
        try nextCell().decode(Value.self)
    }

    /// The next column, text (or any type whose binary format is its UTF-8 bytes), read from its bytes without the
    /// generic decoder, which looks type metadata up for every cell.
    mutating func nextString() throws -> String {
        guard let bytes = try nextCell().bytes else { throw PostgresStoreError("a text column is NULL") }
        return String(buffer: bytes)
    }

    /// The next column, a `BIGINT` or NULL, read from its bytes as `nextString()` reads text.
    mutating func nextInt64OrNil() throws -> Int64? {
        guard let bytes = try nextCell().bytes else { return nil }
        guard bytes.readableBytes == 8, let value = bytes.getInteger(at: bytes.readerIndex, as: Int64.self) else {
            throw PostgresStoreError("a BIGINT column is not 8 bytes")
        }
        return value
    }

    /// The next column, a `BIGINT` that is never NULL.
    mutating func nextInt64() throws -> Int64 {
        guard let value = try nextInt64OrNil() else { throw PostgresStoreError("a BIGINT column is NULL") }
        return value
    }

    /// The next column, a one-dimensional array without NULL elements in PostgreSQL's binary format, read here
    /// element by element with `element` (which gets each element's bytes); a NULL array is empty. Decoding arrays
    /// through the generic decoder looks type metadata up for every element, and reading them through `ByteBuffer`
    /// costs several calls per element, so the array's bytes are walked directly.
    mutating func nextArray<Element>(_ element: (UnsafeRawBufferPointer) -> Element?) throws -> [Element] {
        guard let bytes = try nextCell().bytes else { return [] }
        let malformed = PostgresStoreError("an array column is not a one-dimensional array without NULLs")
        return try bytes.withUnsafeReadableBytes { raw -> [Element] in
            var reader = BigEndianReader(raw)
            guard let dimensions = reader.int32(), let hasNulls = reader.int32(), reader.int32() != nil,
                hasNulls == 0
            else { throw malformed }
            guard dimensions == 1 else {
                guard dimensions == 0 else { throw malformed }
                return []
            }
            guard let count = reader.int32(), count >= 0, reader.int32() != nil else { throw malformed }
            var elements: [Element] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let length = reader.int32(), length >= 0, let slice = reader.bytes(Int(length)),
                    let value = element(slice)
                else { throw malformed }
                elements.append(value)
            }
            return elements
        }
    }

    static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        BigEndianReader.load(UInt64.self, bytes).map { Double(bitPattern: $0) }
    }

    static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? { BigEndianReader.load(Int64.self, bytes) }

    static func int32(_ bytes: UnsafeRawBufferPointer) -> Int32? { BigEndianReader.load(Int32.self, bytes) }

    static func bool(_ bytes: UnsafeRawBufferPointer) -> Bool? { bytes.count == 1 ? bytes[0] != 0 : nil }

    static func string(_ bytes: UnsafeRawBufferPointer) -> String? { String(decoding: bytes, as: UTF8.self) }

    /// Reads all of `rows` (they arrive buffered) and hands each row's columns to `body`.
    static func forEach(_ rows: PostgresRowSequence, _ body: (inout RowColumns) throws -> Void) async throws {
        for row in try await rows.collect() {
            var columns = RowColumns(row)
            try body(&columns)
        }
    }
}

/// Reads big-endian integers and byte runs from a buffer, refusing to read past its end.
struct BigEndianReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    mutating func int32() -> Int32? { Self.load(Int32.self, bytes(4)) }

    mutating func int64() -> Int64? { Self.load(Int64.self, bytes(8)) }

    /// The next `count` bytes, or nil when fewer remain.
    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count <= buffer.count - offset else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    /// `bytes` as one big-endian integer, when it is exactly that integer's size.
    static func load<Value: FixedWidthInteger>(_ type: Value.Type, _ bytes: UnsafeRawBufferPointer?) -> Value? {
        guard let bytes, bytes.count == MemoryLayout<Value>.size else { return nil }
        return Value(bigEndian: bytes.loadUnaligned(as: Value.self))
    }
}
