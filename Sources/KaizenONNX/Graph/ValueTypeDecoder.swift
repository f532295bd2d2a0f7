/// Reads the declared type of a graph input or output.
enum ValueTypeDecoder {
    static func decode(_ proto: Onnx_TypeProto, what: String, allowMissing: Bool = false) throws(ONNXError) -> ValueType
    {
        switch proto.value {
        case .tensorType(let tensorType):
            guard let elementType = ElementType(onnxDataType: tensorType.elemType) else {
                throw .notImplemented(
                    "\(what) has element type \(ElementType.onnxName(tensorType.elemType)), which Kaizen does not support"
                )
            }
            guard tensorType.hasShape else { return .tensor(elementType, nil) }
            let dims: [ValueType.Dimension] = tensorType.shape.dim.map { dim in
                switch dim.value {
                case .dimValue(let size): size >= 0 ? .known(Int(size)) : .unknown
                case .dimParam(let name): name.isEmpty ? .unknown : .symbolic(name)
                case nil: .unknown
                }
            }
            return .tensor(elementType, dims)
        case .sequenceType(let sequence):
            if case .mapType(let map)? = sequence.elemType.value,
                let key = ElementType(onnxDataType: map.keyType), key == .int64 || key == .string,
                case .tensorType(let valueType)? = map.valueType.value, valueType.elemType == 1
            {
                return .sequenceOfMaps(key: key, value: .float)
            }
            throw .notImplemented(
                "\(what) is a sequence of a type other than map(int64|string, float), which Kaizen does not support")
        case nil:
            if allowMissing { return .tensor(.float, nil) }
            throw .invalidGraph("\(what) has no type")
        default:
            throw .notImplemented("\(what) has a map, optional, sparse or opaque type, which Kaizen does not support")
        }
    }
}
