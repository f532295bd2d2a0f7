/// ai.onnx.ml `LinearClassifier`: labels and scores of a linear model, with onnxruntime's binary special case.
struct LinearClassifierKernel: Kernel {
    let scorer: LinearScorer
    let labels: ClassLabels
    let transform: PostTransform

    init(_ context: NodeContext) throws(ONNXError) {
        let coefficients = try context.required("coefficients", context.floats)
        let intercepts = try context.floats("intercepts") ?? []
        labels = try ClassLabels(context, intsKey: "classlabels_ints")
        transform = try PostTransform(context)
        let targets = intercepts.isEmpty ? labels.count : intercepts.count
        guard targets > 0, coefficients.count % targets == 0, !coefficients.isEmpty else {
            throw context.invalid("\(coefficients.count) coefficients do not divide into \(targets) classes")
        }
        guard targets == 1 ? labels.count == 2 || labels.count == 1 : labels.count == targets else {
            throw context.invalid("\(labels.count) class labels for \(targets) rows of coefficients")
        }
        scorer = LinearScorer(coefficients: coefficients, intercepts: intercepts, targets: targets)
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "LinearClassifier X")
        let (rows, columns) = try x.matrixShape("LinearClassifier X")
        guard columns == scorer.features else {
            throw .invalidArgument("LinearClassifier: X has \(columns) features, the model expects \(scorer.features)")
        }
        let values = try x.floatValues("LinearClassifier X")
        if scorer.targets == 1, labels.count == 2, transform == .logistic || transform == .none {
            return binary(values, rows: rows)
        }
        if scorer.targets == 2, labels.count == 2, transform == .logistic || transform == .none {
            return twoClass(values, rows: rows)
        }
        var scores = scorer.scores(values, rows: rows)
        var classes = [Int](repeating: 0, count: rows)
        let width = scorer.targets
        if width == 1 {
            for row in 0..<rows { classes[row] = scores[row] > 0 ? 1 : 0 }
            if labels.count == 2 {
                // onnxruntime writes two columns for one score: [1 - p, p] after the transform.
                var pairs = [Float](repeating: 0, count: rows * 2)
                for row in 0..<rows {
                    let score: Float =
                        switch transform {
                        case .logistic: PostTransform.logistic(scores[row])
                        case .probit: PostTransform.probit(scores[row])
                        default: scores[row]
                        }
                    pairs[2 * row] = 1 - score
                    pairs[2 * row + 1] = score
                }
                return [
                    .tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, 2], values: pairs)),
                ]
            }
        } else {
            for row in 0..<rows {
                var best = 0
                for target in 1..<width where scores[row * width + target] > scores[row * width + best] {
                    best = target
                }
                classes[row] = best
            }
        }
        transform.apply(&scores, width: width)
        return [.tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, width], values: scores))]
    }
}
