/// ai.onnx.ml `Normalizer`: each row divided by its max (MAX), sum of magnitudes (L1) or Euclidean norm (L2).
struct NormalizerKernel: Kernel {
    enum Norm: String, Sendable {
        case max = "MAX"
        case l1 = "L1"
        case l2 = "L2"
    }
    let norm: Norm

    init(_ context: NodeContext) throws(ONNXError) {
        let name = try context.string("norm", default: "MAX")
        guard let norm = Norm(rawValue: name) else { throw context.invalid("unknown norm '\(name)'") }
        self.norm = norm
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Normalizer X")
        let (rows, columns) = try x.matrixShape("Normalizer X")
        var values = try x.floatValues("Normalizer X")
        for row in 0..<rows {
            let range = (row * columns)..<((row + 1) * columns)
            let divisor: Float
            switch norm {
            case .max: divisor = values[range].reduce(-Float.greatestFiniteMagnitude) { max($0, $1) }
            case .l1: divisor = values[range].reduce(0) { $0 + abs($1) }
            case .l2: divisor = values[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
            }
            if divisor != 0 { for index in range { values[index] /= divisor } }
        }
        return [.tensor(Tensor(shape: x.shape, values: values))]
    }
}
