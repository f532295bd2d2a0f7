/// ai.onnx.ml `TreeEnsembleClassifier` (opsets 1–4): class scores, labels, and onnxruntime's binary special case.
struct TreeEnsembleClassifierKernel: Kernel {
    let forest: TreeEnsemble<Float>
    let labels: ClassLabels
    let baseValues: [Float]
    let transform: PostTransform
    /// Two classes scored by one sum (what sklearn, XGBoost and LightGBM binary models produce).
    let binary: Bool
    let weightsArePositive: Bool

    init(_ context: NodeContext) throws(ONNXError) {
        try context.refuse("nodes_values_as_tensor", "class_weights_as_tensor", "base_values_as_tensor")
        labels = try ClassLabels(context, intsKey: "classlabels_int64s")
        let classCount = labels.count
        guard classCount >= 1 else { throw context.invalid("the classifier has no class labels") }
        let classIDs = try context.required("class_ids", context.int64s)
        let weights = try context.floats("class_weights") ?? []
        binary = classCount == 2 && Set(classIDs).count == 1
        weightsArePositive = weights.allSatisfy { $0 >= 0 }
        baseValues = try context.floats("base_values") ?? []
        guard baseValues.isEmpty || baseValues.count == classCount || (binary && baseValues.count <= 2) else {
            throw context.invalid("\(baseValues.count) base_values for \(classCount) classes")
        }
        transform = try PostTransform(context)
        forest = try TreeEnsemble(
            legacy: context, weightPrefix: "class", targetCount: classCount, singleScore: binary,
            thresholds: try context.floats("nodes_values") ?? [], weights: weights)
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "TreeEnsembleClassifier X")
        let rows = try TreeInput.rows(x, forest.featureCount, "TreeEnsembleClassifier")
        let scores = try TreeInput.scores(forest, x, rows: rows, aggregate: .sum)
        var classes = [Int](repeating: 0, count: rows)
        if binary {
            var pairs = [Float](repeating: 0, count: rows * 2)
            for row in 0..<rows {
                var score = scores[row]
                if baseValues.count == 2 {
                    // Two base values: the positive class score is base[1] + s, the negative its opposite.
                    let positive = baseValues[1] + score
                    classes[row] = positive > -positive ? 1 : 0
                    pairs[2 * row] = -positive
                    pairs[2 * row + 1] = positive
                    continue
                }
                if baseValues.count == 1 { score += baseValues[0] }
                if weightsArePositive {
                    classes[row] = score > 0.5 ? 1 : 0
                } else {
                    classes[row] = score > 0 ? 1 : 0
                }
                if transform == .probit {
                    pairs[2 * row] = PostTransform.probit(score)
                    pairs[2 * row + 1] = 0
                } else if weightsArePositive {
                    pairs[2 * row] = 1 - score
                    pairs[2 * row + 1] = score
                } else if transform == .logistic {
                    pairs[2 * row] = PostTransform.logistic(-score)
                    pairs[2 * row + 1] = PostTransform.logistic(score)
                } else {
                    pairs[2 * row] = -score
                    pairs[2 * row + 1] = score
                }
            }
            if baseValues.count == 2 { transform.apply(&pairs, width: 2) }
            return [.tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, 2], values: pairs))]
        }
        let width = forest.targetCount
        var result = scores
        if baseValues.count == width {
            for row in 0..<rows {
                for target in 0..<width { result[row * width + target] += baseValues[target] }
            }
        }
        for row in 0..<rows {
            var best = 0
            for target in 1..<max(width, 1) where result[row * width + target] > result[row * width + best] {
                best = target
            }
            classes[row] = best
        }
        if width == 1 {
            // One class: onnxruntime still reports two columns.
            var pairs = [Float](repeating: 0, count: rows * 2)
            for row in 0..<rows {
                pairs[2 * row] = 1 - result[row]
                pairs[2 * row + 1] = result[row]
            }
            return [.tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, 2], values: pairs))]
        }
        transform.apply(&result, width: width)
        return [.tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, width], values: result))]
    }
}
