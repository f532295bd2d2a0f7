extension Tensor {
    /// The elements as floats (ai.onnx.ml operators compute in float whatever numeric type they are given).
    func floatValues(_ what: @autoclosure () -> String) throws(ONNXError) -> [Float] {
        switch storage {
        case .float(let v): return v
        case .double(let v): return v.map { Float($0) }
        case .int32(let v): return v.map { Float($0) }
        case .int64(let v): return v.map { Float($0) }
        default: throw .invalidArgument("\(what()) must be numeric, got tensor(\(elementType))")
        }
    }

    /// Rows and columns of a 1-D (one row) or 2-D input.
    func matrixShape(_ what: @autoclosure () -> String) throws(ONNXError) -> (rows: Int, columns: Int) {
        switch rank {
        case 1: return (1, shape[0])
        case 2: return (shape[0], shape[1])
        default: throw .invalidArgument("\(what()) must be 1-D or 2-D, got shape \(shape)")
        }
    }
}
