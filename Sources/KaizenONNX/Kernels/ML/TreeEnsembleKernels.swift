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

/// Shared input handling of the tree operators.
enum TreeInput {
    /// The number of rows of a 1-D or 2-D input, checked against the features the trees read.
    static func rows(_ x: Tensor, _ featureCount: Int, _ what: String) throws(ONNXError) -> Int {
        let (rows, columns) = try x.matrixShape("\(what) X")
        guard columns >= featureCount else {
            throw .invalidArgument("\(what): X has \(columns) features, the trees read feature \(featureCount - 1)")
        }
        return rows
    }

    /// Raw aggregated scores, `rows × forest.targetCount`.
    static func scores<T: FloatElement>(
        _ forest: TreeEnsemble<T>, _ x: Tensor, rows: Int, aggregate: TreeEnsembleRegressorKernel.Aggregate
    ) throws(ONNXError) -> [T] {
        let values: [T]
        if let typed = T.values(x.storage) {
            values = typed
        } else {
            values = try x.floatValues("tree ensemble X").map { T(Double($0)) }
        }
        let stride = rows == 0 ? 0 : values.count / rows
        let targets = forest.targetCount
        return values.withUnsafeBufferPointer { x -> [T] in
            guard let base = x.baseAddress, rows > 0 else { return [T](repeating: 0, count: rows * targets) }
            switch aggregate {
            case .sum, .average:
                var scores = [T](repeating: 0, count: rows * targets)
                scores.withUnsafeMutableBufferPointer {
                    forest.accumulate(base, rows: rows, stride: stride, into: $0.baseAddress!)
                }
                if aggregate == .average, !forest.roots.isEmpty {
                    let trees = T(forest.roots.count)
                    for index in scores.indices { scores[index] /= trees }
                }
                return scores
            case .min, .max:
                var scores = [T](repeating: 0, count: rows * targets)
                var seen = [Bool](repeating: false, count: rows * targets)
                forest.forEachLeafWeight(base, rows: rows, stride: stride) { row, target, weight in
                    let index = row * targets + target
                    if !seen[index] {
                        scores[index] = weight
                        seen[index] = true
                    } else if aggregate == .min ? weight < scores[index] : weight > scores[index] {
                        scores[index] = weight
                    }
                }
                return scores
            }
        }
    }
}
