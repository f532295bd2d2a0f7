/// Elementwise operators of one input: Abs, Neg, Sqrt, Exp, Log, Sigmoid, Tanh, Relu, Not, IsNaN, Floor, Ceil,
/// Reciprocal, Erf, and Gelu (exact, or with the tanh approximation).
struct UnaryKernel: Kernel {
    enum Operation: String, Sendable {
        case abs = "Abs"
        case neg = "Neg"
        case sqrt = "Sqrt"
        case exp = "Exp"
        case log = "Log"
        case sigmoid = "Sigmoid"
        case tanh = "Tanh"
        case relu = "Relu"
        case not = "Not"
        case isNaN = "IsNaN"
        case floor = "Floor"
        case ceil = "Ceil"
        case reciprocal = "Reciprocal"
        case erf = "Erf"
        case gelu = "Gelu"
        /// Gelu with `approximate="tanh"`.
        case geluTanh = "Gelu (tanh)"
    }

    let operation: Operation

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, operation.rawValue)
        switch x.storage {
        case .float(let values) where operation == .gelu:
            // The encoders' activation, 8 values at a time.
            let result = VectorMath.map(values, VectorMath.gelu)
            return [.tensor(Tensor(shape: x.shape, values: result))]
        case .float(let values) where operation == .erf:
            return [.tensor(Tensor(shape: x.shape, values: VectorMath.map(values, VectorMath.erf)))]
        case .float(let values): return [.tensor(try floating(values, x.shape))]
        case .double(let values): return [.tensor(try floating(values, x.shape))]
        case .int32(let values): return [.tensor(try integer(values, x.shape))]
        case .int64(let values): return [.tensor(try integer(values, x.shape))]
        case .bool(let values) where operation == .not:
            return [.tensor(Tensor(unchecked: x.shape, .bool(values.map { !$0 })))]
        default: throw .invalidArgument("\(operation.rawValue) does not take tensor(\(x.elementType))")
        }
    }

    private func floating<T: FloatElement>(_ x: [T], _ shape: [Int]) throws(ONNXError) -> Tensor {
        let values: [T]
        switch operation {
        case .abs: values = x.map { Swift.abs($0) }
        case .neg: values = x.map { -$0 }
        case .sqrt: values = x.map { $0.squareRoot() }
        case .exp: values = x.map { T.exp($0) }
        case .log: values = x.map { T.log($0) }
        case .tanh: values = x.map { T.tanh($0) }
        case .floor: values = x.map { $0.rounded(.down) }
        case .ceil: values = x.map { $0.rounded(.up) }
        case .reciprocal: values = x.map { 1 / $0 }
        case .erf: values = x.map { T.erf($0) }
        case .gelu: values = x.map { $0 * (1 + T.erf($0 * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            values = x.map { value in
                let inner = T(0.79788456080286535588) * (value + T(0.044715) * value * value * value)
                return value * (1 + T.tanh(inner)) / 2
            }
        case .sigmoid: values = x.map { Self.sigmoid($0) }
        case .relu: values = x.map { $0 > 0 ? $0 : 0 }
        case .isNaN: return Tensor(unchecked: shape, .bool(x.map(\.isNaN)))
        case .not: throw .invalidArgument("Not takes tensor(bool)")
        }
        return Tensor(shape: shape, values: values)
    }

    private func integer<T: NumericElement & SignedInteger & FixedWidthInteger>(
        _ x: [T], _ shape: [Int]
    )
        throws(ONNXError) -> Tensor
    {
        let values: [T]
        switch operation {
        case .abs: values = x.map { $0 == T.min ? $0 : Swift.abs($0) }
        case .neg: values = x.map { 0 &- $0 }
        case .relu: values = x.map { Swift.max($0, 0) }
        default: throw .invalidArgument("\(operation.rawValue) does not take tensor(\(T.elementType))")
        }
        return Tensor(shape: shape, values: values)
    }

    /// The logistic function, computed so that it neither overflows nor loses precision for large |x|.
    @inline(__always)
    static func sigmoid<T: FloatElement>(_ x: T) -> T {
        let v = 1 / (1 + T.exp(-Swift.abs(x)))
        return x < 0 ? 1 - v : v
    }
}
