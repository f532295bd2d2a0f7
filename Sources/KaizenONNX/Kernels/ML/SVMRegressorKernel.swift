/// `SVMRegressor` (ai.onnx.ml 1): Σ coefficient · K(x, support vector) + rho[0], or a linear model without support
/// vectors; `one_class` turns the value into ±1. Output float `[N, 1]`.
///
/// Like onnxruntime, `post_transform` is read but not applied.
struct SVMRegressorKernel: Kernel {
    /// How the value is computed.
    enum Mode: Sendable {
        /// No support vectors: x · coefficients + rho[0].
        case linear
        /// Σ coefficients[v] · K(x, v) + rho[0].
        case supportVectors(SupportVectorSet)
    }

    let mode: Mode
    let featureCount: Int
    let coefficients: [Float]
    let bias: Float
    let oneClass: Bool

    init(_ context: NodeContext) throws(ONNXError) {
        let vectorCount = try context.required("n_supports", context.int)
        let coefficients = try context.required("coefficients", context.floats)
        let rho = try context.required("rho", context.floats)
        guard vectorCount >= 0 else { throw context.invalid("n_supports must not be negative, got \(vectorCount)") }
        guard !coefficients.isEmpty else { throw context.invalid("coefficients is empty") }
        guard let bias = rho.first else { throw context.invalid("rho is empty") }
        _ = try PostTransform(context)
        if vectorCount > 0 {
            guard coefficients.count >= vectorCount else {
                throw context.invalid(
                    "coefficients holds \(coefficients.count) values for \(vectorCount) support vectors")
            }
            let set = try SupportVectorSet(context, vectorCount: vectorCount)
            mode = .supportVectors(set)
            featureCount = set.featureCount
        } else {
            featureCount = coefficients.count
            mode = .linear
        }
        self.coefficients = coefficients
        self.bias = bias
        oneClass = try context.int("one_class", default: 0) != 0
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let (x, rows) = try SVMOperators.rows(
            tensor(inputs, 0, "SVMRegressor X"), featureCount: featureCount, "SVMRegressor")
        var values: [Float]
        switch mode {
        case .linear:
            values = ReferenceGemm.multiply(
                x, rows: rows, coefficients, columns: 1, depth: featureCount, bias: bias == 0 ? nil : bias)
        case .supportVectors(let set):
            // onnxruntime passes rho to this Gemm even when it is zero.
            values = ReferenceGemm.multiply(
                set.evaluate(x, rows: rows), rows: rows, coefficients, columns: 1, depth: set.vectorCount, bias: bias)
        }
        if oneClass {
            for index in values.indices { values[index] = values[index] > 0 ? 1 : -1 }
        }
        return [.tensor(Tensor(unchecked: [rows, 1], .float(values)))]
    }
}
