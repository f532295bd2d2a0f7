import Foundation

/// A numeric element type that kernels are written generically over.
protocol NumericElement: Numeric, Comparable, Sendable, BitwiseCopyable {
    static func values(_ storage: Tensor.Storage) -> [Self]?
    static func storage(_ values: [Self]) -> Tensor.Storage
    static var elementType: ElementType { get }
    static var lowest: Self { get }
    static var highest: Self { get }
    init(converting value: Double)
    var asDouble: Double { get }
    /// Addition that wraps on integer overflow instead of trapping.
    static func wrappingSum(_ a: Self, _ b: Self) -> Self
    /// Multiplication that wraps on integer overflow instead of trapping.
    static func wrappingProduct(_ a: Self, _ b: Self) -> Self
}

extension NumericElement where Self: BinaryFloatingPoint {
    static func wrappingSum(_ a: Self, _ b: Self) -> Self { a + b }
    static func wrappingProduct(_ a: Self, _ b: Self) -> Self { a * b }
}

extension NumericElement where Self: FixedWidthInteger {
    static func wrappingSum(_ a: Self, _ b: Self) -> Self { a &+ b }
    static func wrappingProduct(_ a: Self, _ b: Self) -> Self { a &* b }
}

extension Float: FloatElement {
    static func values(_ storage: Tensor.Storage) -> [Float]? { if case .float(let v) = storage { v } else { nil } }
    static func storage(_ values: [Float]) -> Tensor.Storage { .float(values) }
    static var elementType: ElementType { .float }
    static var lowest: Float { -.infinity }
    static var highest: Float { .infinity }
    init(converting value: Double) { self = Float(value) }
    var asDouble: Double { Double(self) }
    static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    static func log(_ x: Float) -> Float { Foundation.logf(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    /// A rational approximation (the one Eigen and TensorFlow use for float), a few units in the last place from
    /// the C library's `erff` and branch-free, so that a GELU over a whole tensor vectorizes.
    @inline(__always)
    /// erf by the rational approximation of `VectorMath.erf`, in its first lane.
    static func erf(_ x: Float) -> Float { VectorMath.erf(SIMD8(repeating: x))[0] }
}

extension Double: FloatElement {
    static func values(_ storage: Tensor.Storage) -> [Double]? { if case .double(let v) = storage { v } else { nil } }
    static func storage(_ values: [Double]) -> Tensor.Storage { .double(values) }
    static var elementType: ElementType { .double }
    static var lowest: Double { -.infinity }
    static var highest: Double { .infinity }
    init(converting value: Double) { self = value }
    var asDouble: Double { self }
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}

extension Int32: NumericElement {
    static func values(_ storage: Tensor.Storage) -> [Int32]? { if case .int32(let v) = storage { v } else { nil } }
    static func storage(_ values: [Int32]) -> Tensor.Storage { .int32(values) }
    static var elementType: ElementType { .int32 }
    static var lowest: Int32 { .min }
    static var highest: Int32 { .max }
    init(converting value: Double) { self = Int32(saturating: value) }
    var asDouble: Double { Double(self) }
}

extension Int64: NumericElement {
    static func values(_ storage: Tensor.Storage) -> [Int64]? { if case .int64(let v) = storage { v } else { nil } }
    static func storage(_ values: [Int64]) -> Tensor.Storage { .int64(values) }
    static var elementType: ElementType { .int64 }
    static var lowest: Int64 { .min }
    static var highest: Int64 { .max }
    init(converting value: Double) { self = Int64(saturating: value) }
    var asDouble: Double { Double(self) }
}

extension FixedWidthInteger {
    /// The integer nearest to `value` toward zero, clamped to the type's range; NaN becomes zero.
    init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Self.max) {
            self = .max
        } else if value <= Double(Self.min) {
            self = .min
        } else {
            self = Self(value.rounded(.towardZero))
        }
    }
}

extension Tensor {
    /// The elements as `T`, or an error naming the expected type.
    func values<T: NumericElement>(as _: T.Type, _ what: @autoclosure () -> String) throws(ONNXError) -> [T] {
        guard let values = T.values(storage) else {
            throw .invalidArgument("\(what()) must be tensor(\(T.elementType)), got tensor(\(elementType))")
        }
        return values
    }

    /// A tensor of `T` values.
    init<T: NumericElement>(shape: [Int], values: [T]) {
        self.init(unchecked: shape, T.storage(values))
    }

    /// The elements converted to Int (for shapes, axes, indices), from int32 or int64.
    func integers(_ what: @autoclosure () -> String) throws(ONNXError) -> [Int] {
        switch storage {
        case .int64(let values): return values.map { Int($0) }
        case .int32(let values): return values.map { Int($0) }
        default: throw .invalidArgument("\(what()) must be an integer tensor, got tensor(\(elementType))")
        }
    }
}
