import KaizenCore
import KaizenONNX

/// The binary tensor data extension of the HTTP/REST protocol (KServe and Triton; what `tritonclient.http` sends by
/// default): the body is the JSON header, its length in the `Inference-Header-Content-Length` header, followed by
/// each binary input's raw little-endian elements in the order of `inputs`, each sized by its `binary_data_size`
/// parameter. BYTES elements are a 4-byte little-endian length and the bytes.
extension OpenInference {
    /// The raw data of every input that declares `binary_data_size`, cut from `binary` in order.
    static func binarySlices(
        _ inputs: [JSONValue], _ binary: [UInt8]
    ) throws(ServingError) -> [String: ArraySlice<UInt8>] {
        var slices: [String: ArraySlice<UInt8>] = [:]
        var offset = 0
        for input in inputs {
            guard let size = input["parameters"]?["binary_data_size"] else { continue }
            guard let count = size.int64Value, count >= 0, count <= Int64(binary.count - offset) else {
                throw ServingError.invalidInference(
                    "Input '\(input["name"]?.stringValue ?? "?")' declares binary_data_size \(size.jsonText) but the "
                        + "body has \(binary.count - offset) bytes left")
            }
            slices[input["name"]?.stringValue ?? ""] = binary[offset..<(offset + Int(count))]
            offset += Int(count)
        }
        guard offset == binary.count else {
            throw ServingError.invalidInference(
                "The body has \(binary.count - offset) bytes after the declared binary inputs")
        }
        return slices
    }

    /// The elements of a binary input as JSON values, for the same checks and conversions as JSON data.
    static func leaves(
        binary bytes: ArraySlice<UInt8>, datatype: String, name: String
    ) throws(ServingError) -> [JSONValue] {
        let data = Array(bytes)
        func fixed<T>(_ width: Int, _ decode: (UInt64) -> T) throws(ServingError) -> [T] {
            guard data.count % width == 0 else {
                throw ServingError.invalidInference(
                    "Input '\(name)' has \(data.count) bytes, not a whole number of \(datatype) elements")
            }
            return stride(from: 0, to: data.count, by: width).map { start in
                var bits: UInt64 = 0
                for byte in 0..<width { bits |= UInt64(data[start + byte]) << (8 * byte) }
                return decode(bits)
            }
        }
        switch datatype {
        case "FP32": return try fixed(4) { .double(Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0)))) }
        case "FP64": return try fixed(8) { .double(Double(bitPattern: $0)) }
        case "INT8": return try fixed(1) { .integer(Int64(Int8(truncatingIfNeeded: $0))) }
        case "INT16": return try fixed(2) { .integer(Int64(Int16(truncatingIfNeeded: $0))) }
        case "INT32": return try fixed(4) { .integer(Int64(Int32(truncatingIfNeeded: $0))) }
        case "INT64": return try fixed(8) { .integer(Int64(bitPattern: $0)) }
        case "UINT8", "UINT16", "UINT32":
            return try fixed(datatype == "UINT8" ? 1 : datatype == "UINT16" ? 2 : 4) { .integer(Int64($0)) }
        case "UINT64": return try fixed(8) { $0 <= UInt64(Int64.max) ? .integer(Int64($0)) : .double(Double($0)) }
        case "BOOL": return try fixed(1) { .bool($0 != 0) }
        case "BYTES":
            var values: [JSONValue] = []
            var index = 0
            while index < data.count {
                guard index + 4 <= data.count else {
                    throw ServingError.invalidInference("Input '\(name)': a BYTES length is cut short")
                }
                let length = (0..<4).reduce(0) { $0 | Int(data[index + $1]) << (8 * $1) }
                index += 4
                guard length <= data.count - index else {
                    throw ServingError.invalidInference("Input '\(name)': a BYTES element is longer than the data left")
                }
                guard let text = String(validating: data[index..<(index + length)], as: UTF8.self) else {
                    throw ServingError.invalidInference(
                        "Input '\(name)': BYTES element \(values.count) is not valid UTF-8 text")
                }
                values.append(.string(text))
                index += length
            }
            return values
        default:
            throw ServingError.invalidInference(
                "Input '\(name)' has datatype \(datatype), which Kaizen does not read as binary data")
        }
    }

    /// A tensor's elements as binary data.
    static func binary(_ tensor: Tensor) -> [UInt8] {
        var bytes: [UInt8] = []
        func put(_ bits: UInt64, _ width: Int) {
            for byte in 0..<width { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * byte))) }
        }
        switch tensor.storage {
        case .float(let values): for value in values { put(UInt64(value.bitPattern), 4) }
        case .double(let values): for value in values { put(value.bitPattern, 8) }
        case .int32(let values): for value in values { put(UInt64(UInt32(bitPattern: value)), 4) }
        case .int64(let values): for value in values { put(UInt64(bitPattern: value), 8) }
        case .bool(let values): for value in values { put(value ? 1 : 0, 1) }
        case .string(let values):
            for value in values {
                let utf8 = Array(value.utf8)
                put(UInt64(utf8.count), 4)
                bytes.append(contentsOf: utf8)
            }
        }
        return bytes
    }
}
