/// An n-dimensional array of one element type, stored row-major.
///
/// Tensors are values: copying one is cheap and a copy that is changed gets its own storage.
public struct Tensor: Sendable, Equatable {
    /// The elements, in row-major order, with their type.
    public enum Storage: Sendable, Equatable {
        case float([Float])
        case double([Double])
        case int32([Int32])
        case int64([Int64])
        case bool([Bool])
        case string([String])

        var count: Int {
            switch self {
            case .float(let values): values.count
            case .double(let values): values.count
            case .int32(let values): values.count
            case .int64(let values): values.count
            case .bool(let values): values.count
            case .string(let values): values.count
            }
        }

        var elementType: ElementType {
            switch self {
            case .float: .float
            case .double: .double
            case .int32: .int32
            case .int64: .int64
            case .bool: .bool
            case .string: .string
            }
        }
    }

    /// The size of each dimension; empty for a scalar.
    public private(set) var shape: [Int]
    /// The elements.
    public private(set) var storage: Storage

    /// A tensor with the given shape and elements; throws when their counts disagree or a dimension is negative.
    public init(shape: [Int], storage: Storage) throws(ONNXError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("a tensor shape cannot have a negative dimension: \(shape)")
        }
        guard let count = Tensor.elementCount(shape), count == storage.count else {
            throw .invalidArgument(
                "a tensor of shape \(shape) needs \(Tensor.elementCount(shape) ?? -1) elements, got \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
    }

    /// A tensor whose shape is known to match its elements (kernels build these).
    init(unchecked shape: [Int], _ storage: Storage) {
        assert(Tensor.elementCount(shape) == storage.count, "shape \(shape) does not hold \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    public init(shape: [Int], floats: [Float]) throws(ONNXError) {
        try self.init(shape: shape, storage: .float(floats))
    }
    public init(shape: [Int], doubles: [Double]) throws(ONNXError) {
        try self.init(shape: shape, storage: .double(doubles))
    }
    /// A scalar (rank 0) double.
    public init(scalar: Double) {
        self.init(unchecked: [], .double([scalar]))
    }
    public init(shape: [Int], int32s: [Int32]) throws(ONNXError) {
        try self.init(shape: shape, storage: .int32(int32s))
    }
    public init(shape: [Int], int64s: [Int64]) throws(ONNXError) {
        try self.init(shape: shape, storage: .int64(int64s))
    }
    public init(shape: [Int], bools: [Bool]) throws(ONNXError) { try self.init(shape: shape, storage: .bool(bools)) }
    public init(shape: [Int], strings: [String]) throws(ONNXError) {
        try self.init(shape: shape, storage: .string(strings))
    }

    /// The element type.
    public var elementType: ElementType { storage.elementType }
    /// The number of elements.
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The elements as floats, or `nil` when the tensor holds another type.
    public var floats: [Float]? { if case .float(let values) = storage { values } else { nil } }
    /// The elements as doubles, or `nil` when the tensor holds another type.
    public var doubles: [Double]? { if case .double(let values) = storage { values } else { nil } }
    /// The elements as 32-bit integers, or `nil` when the tensor holds another type.
    public var int32s: [Int32]? { if case .int32(let values) = storage { values } else { nil } }
    /// The elements as 64-bit integers, or `nil` when the tensor holds another type.
    public var int64s: [Int64]? { if case .int64(let values) = storage { values } else { nil } }
    /// The elements as booleans, or `nil` when the tensor holds another type.
    public var bools: [Bool]? { if case .bool(let values) = storage { values } else { nil } }
    /// The elements as strings, or `nil` when the tensor holds another type.
    public var strings: [String]? { if case .string(let values) = storage { values } else { nil } }

    /// The same elements under another shape with the same element count.
    func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(unchecked: newShape, storage)
    }

    /// The product of the dimensions, or `nil` when it overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Row-major strides for a shape.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in (0..<shape.count).reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }
}
