import KaizenCore
public import KaizenONNX

/// What a model takes, as an MLmodel file's `signature.inputs` describes it: named, typed columns
/// (a DataFrame schema) or tensors with a NumPy dtype and a shape.
public enum ModelSignature: Sendable, Equatable {
    case columns([ColumnSpec])
    case tensors([TensorSpec])

    /// Parses the JSON text that MLflow stores (as a YAML string) under `signature.inputs`.
    public init(parsingJSON text: String) throws(ServingError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            throw ServingError.invalidModel("The MLmodel signature is not valid JSON: \(error)")
        }
        guard let specs = value.arrayValue, !specs.isEmpty else {
            throw ServingError.invalidModel("The MLmodel signature must be a non-empty list of column or tensor specs")
        }
        if specs.allSatisfy({ $0["type"]?.stringValue == "tensor" }) {
            self = .tensors(try specs.map(TensorSpec.init(parsing:)))
        } else {
            self = .columns(try specs.map(ColumnSpec.init(parsing:)))
        }
    }
}

/// One column of a DataFrame signature.
public struct ColumnSpec: Sendable, Equatable {
    /// MLflow's column types (`mlflow.types.DataType`).
    public enum ColumnType: String, Sendable, CaseIterable {
        case boolean, integer, long, float, double, string, binary, datetime

        /// The tensor element type values of this column become.
        public var elementType: ElementType? {
            switch self {
            case .boolean: .bool
            case .integer: .int32
            case .long: .int64
            case .float: .float
            case .double: .double
            case .string: .string
            case .binary, .datetime: nil
            }
        }
    }

    public var name: String?
    public var type: ColumnType
    public var required: Bool

    public init(name: String?, type: ColumnType, required: Bool = true) {
        self.name = name
        self.type = type
        self.required = required
    }

    init(parsing value: JSONValue) throws(ServingError) {
        guard let typeName = value["type"]?.stringValue else {
            throw ServingError.invalidModel("A signature column has no type: \(value.jsonText)")
        }
        guard let type = ColumnType(rawValue: typeName) else {
            throw ServingError.invalidModel(
                "Signature column \(value["name"]?.stringValue ?? "?") has type '\(typeName)', which Kaizen cannot "
                    + "serve (supported: \(ColumnType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(name: value["name"]?.stringValue, type: type, required: value["required"] != .bool(false))
    }
}

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
