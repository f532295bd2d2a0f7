/// ai.onnx.ml `Binarizer`: 1 where the input exceeds `threshold`, else 0, in the input's type.
struct BinarizerKernel: Kernel {
    let threshold: Float

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Binarizer X")
        switch x.storage {
        case .float(let v): return [.tensor(Tensor(shape: x.shape, values: v.map { $0 > threshold ? Float(1) : 0 }))]
        case .double(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { $0 > Double(threshold) ? Double(1) : 0 }))]
        case .int64(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { Float($0) > threshold ? Int64(1) : 0 }))]
        case .int32(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { Float($0) > threshold ? Int32(1) : 0 }))]
        default: throw .invalidArgument("Binarizer does not take tensor(\(x.elementType))")
        }
    }
}
