/// The element types of tensors Kaizen's engine computes with.
public enum ElementType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float
    case double
    case int32
    case int64
    case bool
    case string

    /// ONNX's `TensorProto.DataType` number for this type.
    public var onnxDataType: Int32 {
        switch self {
        case .float: 1
        case .int32: 6
        case .int64: 7
        case .string: 8
        case .bool: 9
        case .double: 11
        }
    }

    /// The element type for ONNX's `TensorProto.DataType` number, or `nil` for one Kaizen does not compute with.
    /// Half-precision floats (float16, bfloat16) are widened: Kaizen computes them as float.
    public init?(onnxDataType: Int32) {
        switch onnxDataType {
        case 1, 10, 16: self = .float
        case 6: self = .int32
        case 7: self = .int64
        case 8: self = .string
        case 9: self = .bool
        case 11: self = .double
        default: return nil
        }
    }

    /// ONNX's name for an element type number, for error messages (also for the types Kaizen refuses).
    static func onnxName(_ dataType: Int32) -> String {
        let names = [
            0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
            8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64",
            15: "complex128", 16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2",
            20: "float8e5m2fnuz", 21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2",
        ]
        return names[Int(dataType)] ?? "type \(dataType)"
    }

    public var description: String { rawValue }

    /// Whether values of this type are numbers (bool counts as a number for casts and comparisons).
    var isNumeric: Bool { self != .string }
}

extension ElementType {
    /// ONNX's half-precision float types, which Kaizen widens to float: float16 and bfloat16.
    static func isHalfPrecision(_ onnxDataType: Int32) -> Bool { onnxDataType == 10 || onnxDataType == 16 }
}
