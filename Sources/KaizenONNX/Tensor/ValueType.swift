/// The declared type of a graph input or output.
public enum ValueType: Sendable, Equatable, CustomStringConvertible {
    /// One dimension of a tensor shape as a model declares it.
    public enum Dimension: Sendable, Equatable, CustomStringConvertible {
        /// A fixed size.
        case known(Int)
        /// A named size fixed at run time (`dim_param`, for example `"N"`).
        case symbolic(String)
        /// A size the model leaves open.
        case unknown

        public var description: String {
            switch self {
            case .known(let size): String(size)
            case .symbolic(let name): name
            case .unknown: "?"
            }
        }

        /// The size, when fixed.
        public var size: Int? { if case .known(let size) = self { size } else { nil } }
    }

    /// A tensor; `shape` is `nil` when the model does not declare its rank.
    case tensor(ElementType, [Dimension]?)
    /// A sequence of maps with the given key and value types.
    case sequenceOfMaps(key: ElementType, value: ElementType)

    public var description: String {
        switch self {
        case .tensor(let type, let shape?): "tensor(\(type))[\(shape.map(\.description).joined(separator: ", "))]"
        case .tensor(let type, nil): "tensor(\(type))"
        case .sequenceOfMaps(let key, let value): "seq(map(\(key), \(value)))"
        }
    }
}
