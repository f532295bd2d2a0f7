import KaizenCore
public import KaizenONNX

/// One tensor of a tensor signature.
public struct TensorSpec: Sendable, Equatable {
    public var name: String?
    /// The NumPy dtype name, for example `float32`.
    public var dtype: String
    /// The shape; `-1` marks a dimension of any size.
    public var shape: [Int]

    public init(name: String?, dtype: String, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    init(parsing value: JSONValue) throws(ServingError) {
        guard let spec = value["tensor-spec"], let dtype = spec["dtype"]?.stringValue else {
            throw ServingError.invalidModel("A signature tensor has no tensor-spec dtype: \(value.jsonText)")
        }
        let shape = (spec["shape"]?.arrayValue ?? []).compactMap { $0.int64Value.map { Int($0) } }
        self.init(name: value["name"]?.stringValue, dtype: dtype, shape: shape)
    }

    /// The element type of the NumPy dtype, when the engine computes with it.
    public var elementType: ElementType? {
        switch dtype {
        case "float32": .float
        case "float64": .double
        case "int32": .int32
        case "int64": .int64
        case "bool": .bool
        case "str", "object": .string
        default: nil
        }
    }
}
