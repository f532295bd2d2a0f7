import KaizenCore
public import KaizenONNX

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
