import Foundation

/// Turns ONNX `TensorProto`s (initializers, attribute tensors, test data) into tensors.
enum TensorDecoder {
    /// Decodes a tensor; external data is read relative to `baseDirectory`, and refused when it is `nil`.
    static func decode(_ proto: Onnx_TensorProto, baseDirectory: URL?) throws(ONNXError) -> Tensor {
        let name = proto.name.isEmpty ? "<unnamed>" : proto.name
        guard let type = ElementType(onnxDataType: proto.dataType) else {
            throw .notImplemented(
                "tensor '\(name)' has element type \(ElementType.onnxName(proto.dataType)), which Kaizen does not support"
            )
        }
        if proto.hasSegment { throw .notImplemented("tensor '\(name)' is segmented, which Kaizen does not support") }
        var shape: [Int] = []
        for dim in proto.dims {
            guard dim >= 0, dim <= Int32.max else { throw .invalidGraph("tensor '\(name)' has dimension \(dim)") }
            shape.append(Int(dim))
        }
        guard let count = Tensor.elementCount(shape), count <= 1 << 34 else {
            throw .invalidGraph("tensor '\(name)' has shape \(shape), too large")
        }
        var raw: Data? = proto.hasRawData ? proto.rawData : nil
        if proto.dataLocation == .external {
            raw = try ExternalData.read(proto, name: name, baseDirectory: baseDirectory)
        }
        let storage: Tensor.Storage
        if ElementType.isHalfPrecision(proto.dataType) {
            storage = .float(try widened(proto, raw: raw, count: count, name: name))
        } else if let raw {
            storage = try decodeRaw(raw, type: type, count: count, name: name)
        } else {
            storage = try decodeTyped(proto, type: type, name: name)
        }
        guard storage.count == count else {
            throw .invalidGraph("tensor '\(name)' of shape \(shape) holds \(storage.count) values, expected \(count)")
        }
        return Tensor(unchecked: shape, storage)
    }

    private static func decodeTyped(
        _ proto: Onnx_TensorProto, type: ElementType, name: String
    ) throws(ONNXError)
        -> Tensor.Storage
    {
        switch type {
        case .float: return .float(proto.floatData)
        case .double: return .double(proto.doubleData)
        case .int32: return .int32(proto.int32Data)
        case .int64: return .int64(proto.int64Data)
        case .bool: return .bool(proto.int32Data.map { $0 != 0 })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(proto.stringData.count)
            for bytes in proto.stringData {
                guard let string = String(validating: bytes, as: UTF8.self) else {
                    throw .invalidGraph("tensor '\(name)' holds a string that is not valid UTF-8")
                }
                strings.append(string)
            }
            return .string(strings)
        }
    }

    private static func decodeRaw(
        _ raw: Data, type: ElementType, count: Int, name: String
    ) throws(ONNXError)
        -> Tensor.Storage
    {
        let width: Int
        switch type {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .bool: width = 1
        case .string: throw .invalidGraph("tensor '\(name)' stores strings in raw_data, which ONNX does not allow")
        }
        guard raw.count == count * width else {
            throw .invalidGraph("tensor '\(name)' has \(raw.count) bytes of raw data, expected \(count * width)")
        }
        // ONNX raw data is little-endian, as is every platform Swift targets here.
        switch type {
        case .float: return .float(copy(raw, count, as: Float.self))
        case .double: return .double(copy(raw, count, as: Double.self))
        case .int32: return .int32(copy(raw, count, as: Int32.self))
        case .int64: return .int64(copy(raw, count, as: Int64.self))
        case .bool: return .bool(raw.map { $0 != 0 })
        case .string: fatalError("unreachable: strings are refused above")
        }
    }

    /// A float16 or bfloat16 tensor's values as floats (exactly: every half-precision value is a float). Raw data
    /// holds 2 little-endian bytes per value; typed data holds each value's bits in `int32_data`.
    private static func widened(
        _ proto: Onnx_TensorProto, raw: Data?, count: Int, name: String
    ) throws(ONNXError) -> [Float] {
        var bits: [UInt16]
        if let raw {
            guard raw.count == count * 2 else {
                throw .invalidGraph("tensor '\(name)' has \(raw.count) bytes of raw data, expected \(count * 2)")
            }
            bits = copy(raw, count, as: UInt16.self)
        } else {
            bits = proto.int32Data.map { UInt16(truncatingIfNeeded: $0) }
        }
        if proto.dataType == 16 { return bits.map { Float(bitPattern: UInt32($0) << 16) } }
        return bits.map { Float(Float16(bitPattern: $0)) }
    }

    private static func copy<T: BitwiseCopyable>(_ raw: Data, _ count: Int, as _: T.Type) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            raw.withUnsafeBytes { bytes in
                let destination = UnsafeMutableRawBufferPointer(buffer)
                destination.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * MemoryLayout<T>.size)]))
            }
            initialized = count
        }
    }
}

extension TensorDecoder {
    /// The values of an integer attribute tensor of any integer width (TreeEnsemble's uint8 `nodes_modes`).
    static func integers(_ proto: Onnx_TensorProto) throws(ONNXError) -> [Int64] {
        let widths: [Int32: (bytes: Int, signed: Bool)] = [
            2: (1, false), 3: (1, true), 4: (2, false), 5: (2, true), 6: (4, true), 7: (8, true), 9: (1, false),
            12: (4, false), 13: (8, false),
        ]
        guard let (width, signed) = widths[proto.dataType] else {
            throw .invalidGraph(
                "tensor '\(proto.name)' must hold integers, got \(ElementType.onnxName(proto.dataType))")
        }
        guard proto.hasRawData else {
            switch proto.dataType {
            case 7: return proto.int64Data
            case 13: return proto.uint64Data.map { Int64(truncatingIfNeeded: $0) }
            default: return proto.int32Data.map { Int64($0) }
            }
        }
        let raw = [UInt8](proto.rawData)
        guard raw.count % width == 0 else { throw .invalidGraph("tensor '\(proto.name)' has a partial element") }
        var result: [Int64] = []
        result.reserveCapacity(raw.count / width)
        var offset = 0
        while offset < raw.count {
            var bits: UInt64 = 0
            for byte in 0..<width { bits |= UInt64(raw[offset + byte]) << (8 * UInt64(byte)) }
            if signed && width < 8 && bits & (1 << (8 * UInt64(width) - 1)) != 0 {
                bits |= ~((1 << (8 * UInt64(width))) - 1)
            }
            result.append(Int64(bitPattern: bits))
            offset += width
        }
        return result
    }
}
