/// ai.onnx.ml `ArrayFeatureExtractor`: picks elements of the last axis by index.
struct ArrayFeatureExtractorKernel: Kernel {
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "ArrayFeatureExtractor X")
        let indices = try tensor(inputs, 1, "ArrayFeatureExtractor Y").integers("ArrayFeatureExtractor Y")
        guard x.rank >= 1 else { throw .invalidArgument("ArrayFeatureExtractor: X must have rank 1 or more") }
        let width = x.shape[x.rank - 1]
        guard !indices.isEmpty else { throw .invalidArgument("ArrayFeatureExtractor: no indices given") }
        for index in indices where index < 0 || index >= width {
            throw .runtime("ArrayFeatureExtractor: index \(index) is out of range for \(width) columns")
        }
        let rows = width == 0 ? 0 : x.count / width
        var picks: [Int] = []
        picks.reserveCapacity(rows * indices.count)
        for row in 0..<rows {
            for index in indices { picks.append(row * width + index) }
        }
        // onnxruntime returns [1, k] for a 1-D input.
        let shape = x.rank == 1 ? [1, indices.count] : Array(x.shape.dropLast()) + [indices.count]
        return [.tensor(Tensor(unchecked: shape, x.storage.picking(picks)))]
    }
}
