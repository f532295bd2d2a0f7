/// A value that flows through an ONNX graph: a tensor or a sequence of maps (ZipMap's output).
public enum Value: Sendable, Equatable {
    case tensor(Tensor)
    case mapSequence(MapSequence)

    /// The tensor, or `nil` for a sequence.
    public var tensor: Tensor? { if case .tensor(let tensor) = self { tensor } else { nil } }

    /// The value's type, as a model declares its inputs and outputs.
    public var valueType: ValueType {
        switch self {
        case .tensor(let tensor): .tensor(tensor.elementType, tensor.shape.map { .known($0) })
        case .mapSequence(let sequence): .sequenceOfMaps(key: sequence.keys.elementType, value: .float)
        }
    }
}
