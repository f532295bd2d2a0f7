/// ai.onnx.ml `TreeEnsembleRegressor` (opsets 1–4): sums (or averages, min, max) of leaf weights per target.
struct TreeEnsembleRegressorKernel: Kernel {
    enum Aggregate: String, Sendable {
        case sum = "SUM"
        case average = "AVERAGE"
        case min = "MIN"
        case max = "MAX"
    }

    let forest: TreeEnsemble<Float>
    let aggregate: Aggregate
    let baseValues: [Float]
    let transform: PostTransform

    init(_ context: NodeContext) throws(ONNXError) {
        try context.refuse("nodes_values_as_tensor", "target_weights_as_tensor", "base_values_as_tensor")
        let targets = try context.int("n_targets", default: 1)
        guard targets >= 1, targets <= 1 << 20 else { throw context.invalid("n_targets = \(targets)") }
        let name = try context.string("aggregate_function", default: "SUM")
        guard let aggregate = Aggregate(rawValue: name) else {
            throw context.invalid("unknown aggregate_function '\(name)'")
        }
        self.aggregate = aggregate
        baseValues = try context.floats("base_values") ?? []
        guard baseValues.isEmpty || baseValues.count == targets else {
            throw context.invalid("\(baseValues.count) base_values for \(targets) targets")
        }
        transform = try PostTransform(context)
        forest = try TreeEnsemble(
            legacy: context, weightPrefix: "target", targetCount: targets,
            thresholds: try context.floats("nodes_values") ?? [], weights: try context.floats("target_weights") ?? [])
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "TreeEnsembleRegressor X")
        let rows = try TreeInput.rows(x, forest.featureCount, "TreeEnsembleRegressor")
        var scores = try TreeInput.scores(forest, x, rows: rows, aggregate: aggregate)
        let targets = forest.targetCount
        if !baseValues.isEmpty {
            for row in 0..<rows {
                for target in 0..<targets { scores[row * targets + target] += baseValues[target] }
            }
        }
        transform.apply(&scores, width: targets)
        return [.tensor(Tensor(shape: [rows, targets], values: scores))]
    }
}
