/// `Cast`: converts elements to another type (numbers truncate toward zero, saturating; strings parse and print).
struct CastKernel: Kernel {
    let target: ElementType
    /// For a cast to float16 (10) or bfloat16 (16): values are rounded to that precision and kept as floats.
    var rounding: Int32? = nil

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Cast")
        var result = x.elementType == target ? x : Tensor(unchecked: x.shape, try Self.convert(x.storage, to: target))
        if let rounding, case .float(let values) = result.storage {
            result = Tensor(unchecked: x.shape, .float(values.map { Self.round($0, to: rounding) }))
        }
        return [.tensor(result)]
    }

    /// `value` rounded to float16 (to nearest even) or bfloat16 (to nearest even, as onnxruntime rounds).
    static func round(_ value: Float, to type: Int32) -> Float {
        guard type == 16 else { return Float(Float16(value)) }
        guard value.isFinite else { return value.isNaN ? .nan : value }
        let bits = value.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }

    static func convert(_ storage: Tensor.Storage, to target: ElementType) throws(ONNXError) -> Tensor.Storage {
        switch storage {
        case .float(let v): return fromNumbers(v.map(Double.init), to: target, strings: v.map(describe))
        case .double(let v): return fromNumbers(v, to: target, strings: v.map(describe))
        case .int32(let v): return fromIntegers(v.map(Int64.init), to: target)
        case .int64(let v): return fromIntegers(v, to: target)
        case .bool(let v): return fromIntegers(v.map { $0 ? 1 : 0 }, to: target, bools: v)
        case .string(let v):
            var numbers: [Double] = []
            numbers.reserveCapacity(v.count)
            for text in v {
                guard let number = parse(text) else {
                    throw .invalidArgument("Cast: '\(text)' is not a number")
                }
                numbers.append(number)
            }
            return fromNumbers(numbers, to: target, strings: v)
        }
    }

    private static func fromNumbers(
        _ v: [Double], to target: ElementType, strings: @autoclosure () -> [String]
    )
        -> Tensor.Storage
    {
        switch target {
        case .float: .float(v.map { Float($0) })
        case .double: .double(v)
        case .int32: .int32(v.map { Int32(saturating: $0) })
        case .int64: .int64(v.map { Int64(saturating: $0) })
        case .bool: .bool(v.map { $0 != 0 })
        case .string: .string(strings())
        }
    }

    private static func fromIntegers(_ v: [Int64], to target: ElementType, bools: [Bool]? = nil) -> Tensor.Storage {
        switch target {
        case .float: .float(v.map { Float($0) })
        case .double: .double(v.map { Double($0) })
        case .int32: .int32(v.map { Int32(truncatingIfNeeded: $0) })
        case .int64: .int64(v)
        case .bool: .bool(v.map { $0 != 0 })
        case .string: .string(bools.map { $0.map { $0 ? "1" : "0" } } ?? v.map { String($0) })
        }
    }

    private static func describe<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-INF" : "INF" }
        return String(value)
    }

    /// Parses a number as ONNX's string casts accept it (also `INF`, `-inf`, `NaN`).
    private static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingPrefix(while: { $0 == " " })
        switch trimmed.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: return Double(String(trimmed))
        }
    }
}
