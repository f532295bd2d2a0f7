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

    /// The next column, a one-dimensional array without NULL elements in PostgreSQL's binary format, read here
    /// element by element with `element` (which gets each element's bytes); a NULL array is empty. Decoding arrays
    /// through the generic decoder looks type metadata up for every element.
    mutating func nextArray<Element>(_ element: (inout ByteBuffer) -> Element?) throws -> [Element] {
        guard var bytes = try nextCell().bytes else { return [] }
        let malformed = PostgresStoreError("an array column is not a one-dimensional array without NULLs")
        guard let (dimensions, hasNulls, _) = bytes.readMultipleIntegers(as: (Int32, Int32, UInt32).self),
            hasNulls == 0
        else { throw malformed }
        guard dimensions == 1 else {
            guard dimensions == 0 else { throw malformed }
            return []
        }
        guard let (count, _) = bytes.readMultipleIntegers(as: (Int32, Int32).self), count >= 0 else { throw malformed }
        var elements: [Element] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = bytes.readInteger(as: Int32.self), length >= 0,
                var slice = bytes.readSlice(length: Int(length)), let value = element(&slice)
            else { throw malformed }
            elements.append(value)
        }
        return elements
    }

    static func double(_ bytes: inout ByteBuffer) -> Double? {
        bytes.readInteger(as: UInt64.self).map { Double(bitPattern: $0) }
    }

    static func int64(_ bytes: inout ByteBuffer) -> Int64? { bytes.readInteger(as: Int64.self) }

    static func int32(_ bytes: inout ByteBuffer) -> Int32? { bytes.readInteger(as: Int32.self) }

    static func bool(_ bytes: inout ByteBuffer) -> Bool? { bytes.readInteger(as: UInt8.self).map { $0 != 0 } }

    static func string(_ bytes: inout ByteBuffer) -> String? { bytes.readString(length: bytes.readableBytes) }

    /// Reads all of `rows` (they arrive buffered) and hands each row's columns to `body`.
    static func forEach(_ rows: PostgresRowSequence, _ body: (inout RowColumns) throws -> Void) async throws {
        for row in try await rows.collect() {
            var columns = RowColumns(row)
            try body(&columns)
        }
    }
}
