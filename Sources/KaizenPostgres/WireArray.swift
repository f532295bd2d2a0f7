import NIOCore
import PostgresNIO

/// A value that goes into a ``WireArray``: its element type and its bytes in PostgreSQL's binary format.
protocol WireElement {
    static var elementType: PostgresDataType { get }
    static var arrayType: PostgresDataType { get }
    /// The number of bytes `write(to:)` writes.
    var wireSize: Int { get }
    func write(to output: UnsafeMutableRawPointer)
}

/// A one-dimensional array bound as a query parameter, written in PostgreSQL's binary format straight into the bind
/// buffer. The generic array encoding writes each element through several `ByteBuffer` calls and looks type metadata
/// up per element; a batch of 1,000 metrics binds eight such arrays.
struct WireArray<Element: WireElement>: PostgresDynamicTypeEncodable {
    let elements: [Element]

    init(_ elements: [Element]) { self.elements = elements }

    var psqlType: PostgresDataType { Element.arrayType }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        guard !elements.isEmpty else {
            // No dimensions: the empty array.
            byteBuffer.writeMultipleIntegers(Int32(0), Int32(0), Element.elementType.rawValue)
            return
        }
        // Dimensions, has-NULLs flag, element type, then the one dimension's length and lower bound.
        var size = 20
        for element in elements { size += 4 + element.wireSize }
        byteBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
            guard let base = output.baseAddress else { return 0 }
            var offset = 0
            func put(_ value: UInt32) {
                base.advanced(by: offset).storeBytes(of: value.bigEndian, as: UInt32.self)
                offset += 4
            }
            put(1)
            put(0)
            put(Element.elementType.rawValue)
            put(UInt32(elements.count))
            put(1)
            for element in elements {
                let length = element.wireSize
                put(UInt32(length))
                element.write(to: base.advanced(by: offset))
                offset += length
            }
            return offset
        }
    }
}

extension Double: WireElement {
    static var elementType: PostgresDataType { .float8 }
    static var arrayType: PostgresDataType { .float8Array }
    var wireSize: Int { 8 }
    func write(to output: UnsafeMutableRawPointer) {
        output.storeBytes(of: bitPattern.bigEndian, toByteOffset: 0, as: UInt64.self)
    }
}

extension Int64: WireElement {
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }
    var wireSize: Int { 8 }
    func write(to output: UnsafeMutableRawPointer) {
        output.storeBytes(of: bigEndian, toByteOffset: 0, as: Int64.self)
    }
}

extension String: WireElement {
    static var elementType: PostgresDataType { .text }
    static var arrayType: PostgresDataType { .textArray }
    var wireSize: Int { utf8.count }
    func write(to output: UnsafeMutableRawPointer) {
        var text = self
        text.withUTF8 { bytes in
            guard let source = bytes.baseAddress else { return }
            output.copyMemory(from: source, byteCount: bytes.count)
        }
    }
}
