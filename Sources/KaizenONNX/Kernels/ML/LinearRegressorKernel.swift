/// ai.onnx.ml `LinearRegressor`: `X · Wᵀ + b` for `targets` outputs.
struct LinearRegressorKernel: Kernel {
    let scorer: LinearScorer
    let transform: PostTransform

    init(_ context: NodeContext) throws(ONNXError) {
        let coefficients = try context.required("coefficients", context.floats)
        let intercepts = try context.floats("intercepts") ?? []
        let targets = try context.int("targets", default: 1)
        guard targets > 0, !coefficients.isEmpty, coefficients.count % targets == 0,
            intercepts.isEmpty || intercepts.count == targets
        else {
            throw context.invalid(
                "\(coefficients.count) coefficients and \(intercepts.count) intercepts for \(targets) targets")
        }
        transform = try PostTransform(context)
        scorer = LinearScorer(coefficients: coefficients, intercepts: intercepts, targets: targets)
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "LinearRegressor X")
        let (rows, columns) = try x.matrixShape("LinearRegressor X")
        guard columns == scorer.features else {
            throw .invalidArgument("LinearRegressor: X has \(columns) features, the model expects \(scorer.features)")
        }
        var scores = scorer.scores(try x.floatValues("LinearRegressor X"), rows: rows)
        transform.apply(&scores, width: scorer.targets)
        return [.tensor(Tensor(shape: [rows, scorer.targets], values: scores))]
    }
}
