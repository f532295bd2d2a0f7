import Foundation

/// Elementwise operators of two inputs with broadcasting: arithmetic (Add, Sub, Mul, Div, Pow) and comparisons.
struct BinaryKernel: Kernel {
    enum Operation: String, Sendable {
        case add = "Add"
        case sub = "Sub"
        case mul = "Mul"
        case div = "Div"
        case pow = "Pow"
        case less = "Less"
        case lessOrEqual = "LessOrEqual"
        case greater = "Greater"
        case greaterOrEqual = "GreaterOrEqual"
        case equal = "Equal"
    }

    let operation: Operation

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let a = try tensor(inputs, 0, operation.rawValue)
        let b = try tensor(inputs, 1, operation.rawValue)
        switch operation {
        case .add, .sub, .mul, .div: return [.tensor(try arithmetic(a, b))]
        case .pow: return [.tensor(try power(a, b))]
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .equal: return [.tensor(try compare(a, b))]
        }
    }

    private func arithmetic(_ a: Tensor, _ b: Tensor) throws(ONNXError) -> Tensor {
        guard a.elementType == b.elementType else {
            throw .invalidArgument("inputs must have the same type, got \(a.elementType) and \(b.elementType)")
        }
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)):
            if let fast = floatLanes(x, a.shape, y, b.shape) { return fast }
            return try floating(x, a.shape, y, b.shape)
        case (.double(let x), .double(let y)): return try floating(x, a.shape, y, b.shape)
        case (.int32(let x), .int32(let y)): return try integer(x, a.shape, y, b.shape)
        case (.int64(let x), .int64(let y)): return try integer(x, a.shape, y, b.shape)
        default: throw .invalidArgument("\(operation.rawValue) does not take tensor(\(a.elementType))")
        }
    }

    private func floating<T: FloatElement>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int]) throws(ONNXError) -> Tensor {
        let result: (values: [T], shape: [Int])
        switch operation {
        case .add: result = try Broadcast.apply(x, xs, y, ys, +)
        case .sub: result = try Broadcast.apply(x, xs, y, ys, -)
        case .mul: result = try Broadcast.apply(x, xs, y, ys, *)
        default: result = try Broadcast.apply(x, xs, y, ys, /)
        }
        return Tensor(shape: result.shape, values: result.values)
    }

    /// Float arithmetic 16 values at a time, where `b` has `a`'s shape, repeats along its leading axes (a residual
    /// connection, a bias row) or is one value; nil for the other broadcasts.
    private func floatLanes(_ x: [Float], _ xs: [Int], _ y: [Float], _ ys: [Int]) -> Tensor? {
        guard !y.isEmpty, x.count >= y.count, x.count % y.count == 0, xs.count >= ys.count,
            Broadcast.isSuffix(ys, of: xs), y.count == 1 || y.count >= Lane.scalarCount
        else { return nil }
        let values: [Float]
        switch operation {
        case .add: values = Self.lanes(x, y, +, +)
        case .sub: values = Self.lanes(x, y, -, -)
        case .mul: values = Self.lanes(x, y, *, *)
        default: values = Self.lanes(x, y, /, /)
        }
        return Tensor(shape: xs, values: values)
    }

    typealias Lane = SIMD16<Float>

    /// `op(x[i], y[i mod y.count])` for every `i`, 16 at a time within each repeat of `y` (or blocks of 4,096 for one
    /// `y`), the repeats split across the call's threads when there are many.
    @inline(__always)
    private static func lanes(
        _ x: [Float], _ y: [Float], _ op: (Lane, Lane) -> Lane, _ scalarOp: (Float, Float) -> Float
    ) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    let shared = UncheckedSendable((x, y, out))
                    let period = y.count
                    let block = period == 1 ? 4_096 : period
                    IntraOpThreads.split((x.count + block - 1) / block, work: x.count * 4) { range in
                        let (x, y, out) = shared.value
                        for task in range {
                            let start = task * block
                            let end = min(x.count, start + block)
                            if period == 1 {
                                apply(
                                    op, scalarOp, x.baseAddress! + start, splat: y[0], out.baseAddress! + start,
                                    end - start)
                            } else {
                                apply(
                                    op, scalarOp, x.baseAddress! + start, y.baseAddress!, out.baseAddress! + start,
                                    period)
                            }
                        }
                    }
                }
            }
            initialized = x.count
        }
    }

    /// `c[j] = op(a[j], b[j])` for `j < count`.
    @inline(__always)
    private static func apply(
        _ op: (Lane, Lane) -> Lane, _ scalarOp: (Float, Float) -> Float, _ a: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        let width = Lane.scalarCount
        var j = 0
        while j + width <= count {
            let left = UnsafeRawPointer(a + j).loadUnaligned(as: Lane.self)
            let right = UnsafeRawPointer(b + j).loadUnaligned(as: Lane.self)
            UnsafeMutableRawPointer(c + j).storeBytes(of: op(left, right), as: Lane.self)
            j += width
        }
        while j < count {
            c[j] = scalarOp(a[j], b[j])
            j += 1
        }
    }

    /// `c[j] = op(a[j], value)` for `j < count`.
    @inline(__always)
    private static func apply(
        _ op: (Lane, Lane) -> Lane, _ scalarOp: (Float, Float) -> Float, _ a: UnsafePointer<Float>, splat value: Float,
        _ c: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        let (width, right) = (Lane.scalarCount, Lane(repeating: value))
        var j = 0
        while j + width <= count {
            let left = UnsafeRawPointer(a + j).loadUnaligned(as: Lane.self)
            UnsafeMutableRawPointer(c + j).storeBytes(of: op(left, right), as: Lane.self)
            j += width
        }
        while j < count {
            c[j] = scalarOp(a[j], value)
            j += 1
        }
    }

    private func integer<T: NumericElement & FixedWidthInteger>(
        _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int]
    )
        throws(ONNXError) -> Tensor
    {
        let result: (values: [T], shape: [Int])
        switch operation {
        case .add: result = try Broadcast.apply(x, xs, y, ys, &+)
        case .sub: result = try Broadcast.apply(x, xs, y, ys, &-)
        case .mul: result = try Broadcast.apply(x, xs, y, ys, &*)
        default:
            var dividedByZero = false
            result = try Broadcast.apply(x, xs, y, ys) { (p: T, q: T) -> T in
                if q == 0 {
                    dividedByZero = true
                    return 0
                }
                return p.dividedReportingOverflow(by: q).partialValue
            }
            if dividedByZero { throw .runtime("integer division by zero") }
        }
        return Tensor(shape: result.shape, values: result.values)
    }

    private func power(_ a: Tensor, _ b: Tensor) throws(ONNXError) -> Tensor {
        // The result has the base's type; the exponent may be of another numeric type.
        let exponents: [Double]
        switch b.storage {
        case .float(let v): exponents = v.map(Double.init)
        case .double(let v): exponents = v
        case .int32(let v): exponents = v.map(Double.init)
        case .int64(let v): exponents = v.map(Double.init)
        default: throw .invalidArgument("Pow exponent must be numeric, got tensor(\(b.elementType))")
        }
        switch a.storage {
        case .float(let x):
            if case .float(let y) = b.storage {
                // Squaring (a variance in a decomposed layer normalization): one product is the correctly rounded
                // square, which is what `pow` returns too.
                if y.count == 1, y[0] == 2, b.rank <= a.rank {
                    let shape = try Broadcast.shape(a.shape, b.shape)
                    return Tensor(shape: shape, values: x.map { $0 * $0 })
                }
                let r = try Broadcast.apply(x, a.shape, y, b.shape) { Float.pow($0, $1) }
                return Tensor(shape: r.shape, values: r.values)
            }
            let r = try Broadcast.apply(x, a.shape, exponents, b.shape) { Float(Foundation.pow(Double($0), $1)) }
            return Tensor(shape: r.shape, values: r.values)
        case .double(let x):
            let r = try Broadcast.apply(x, a.shape, exponents, b.shape) { Foundation.pow($0, $1) }
            return Tensor(shape: r.shape, values: r.values)
        case .int32(let x):
            let r = try Broadcast.apply(x, a.shape, exponents, b.shape) {
                Int32(truncatingIfNeeded: integerPower(Int64($0), $1))
            }
            return Tensor(shape: r.shape, values: r.values)
        case .int64(let x):
            let r = try Broadcast.apply(x, a.shape, exponents, b.shape) { integerPower($0, $1) }
            return Tensor(shape: r.shape, values: r.values)
        default:
            throw .invalidArgument("Pow base must be numeric, got tensor(\(a.elementType))")
        }
    }

    private func compare(_ a: Tensor, _ b: Tensor) throws(ONNXError) -> Tensor {
        guard a.elementType == b.elementType else {
            throw .invalidArgument("inputs must have the same type, got \(a.elementType) and \(b.elementType)")
        }
        let r: (values: [Bool], shape: [Int])
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)): r = try ordered(x, a.shape, y, b.shape)
        case (.double(let x), .double(let y)): r = try ordered(x, a.shape, y, b.shape)
        case (.int32(let x), .int32(let y)): r = try ordered(x, a.shape, y, b.shape)
        case (.int64(let x), .int64(let y)): r = try ordered(x, a.shape, y, b.shape)
        case (.bool(let x), .bool(let y)) where operation == .equal: r = try Broadcast.apply(x, a.shape, y, b.shape, ==)
        case (.string(let x), .string(let y)) where operation == .equal:
            r = try Broadcast.apply(x, a.shape, y, b.shape, ==)
        default: throw .invalidArgument("\(operation.rawValue) does not take tensor(\(a.elementType))")
        }
        return Tensor(unchecked: r.shape, .bool(r.values))
    }

    private func ordered<T: Comparable>(
        _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int]
    ) throws(ONNXError)
        -> (values: [Bool], shape: [Int])
    {
        switch operation {
        case .less: try Broadcast.apply(x, xs, y, ys, <)
        case .lessOrEqual: try Broadcast.apply(x, xs, y, ys, <=)
        case .greater: try Broadcast.apply(x, xs, y, ys, >)
        case .greaterOrEqual: try Broadcast.apply(x, xs, y, ys, >=)
        default: try Broadcast.apply(x, xs, y, ys, ==)
        }
    }
}

/// `base` to an integral power, as numpy computes integer powers (wrapping on overflow).
private func integerPower(_ base: Int64, _ exponent: Double) -> Int64 {
    guard exponent.isFinite else { return 0 }
    var n = Int64(exponent.rounded(.towardZero))
    if n < 0 { return base == 1 ? 1 : (base == -1 ? (n % 2 == 0 ? 1 : -1) : 0) }
    var result: Int64 = 1
    var factor = base
    while n > 0 {
        if n & 1 == 1 { result = result &* factor }
        factor = factor &* factor
        n >>= 1
    }
    return result
}
