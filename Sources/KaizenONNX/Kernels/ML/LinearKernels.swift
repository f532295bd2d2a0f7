/// Scores `X · Wᵀ + b` for a few or many targets: dot products for a handful, the packed product for more.
struct LinearScorer: Sendable {
    let features: Int
    let targets: Int
    /// Row-major `targets × features`.
    let coefficients: [Float]
    let intercepts: [Float]
    let packed: PackedMatrix?

    init(coefficients: [Float], intercepts: [Float], targets: Int) {
        self.targets = targets
        self.features = targets == 0 ? 0 : coefficients.count / targets
        self.coefficients = coefficients
        self.intercepts = intercepts.isEmpty ? [Float](repeating: 0, count: targets) : intercepts
        self.packed = targets > 4 ? PackedMatrix(coefficients, rows: features, columns: targets, transposed: true) : nil
    }

    /// An `rows × targets` score matrix.
    func scores(_ x: [Float], rows: Int) -> [Float] {
        if let packed {
            var scores = packed.multiply(x, m: rows)
            for row in 0..<rows {
                for target in 0..<targets { scores[row * targets + target] += intercepts[target] }
            }
            return scores
        }
        return [Float](unsafeUninitializedCapacity: rows * targets) { out, initialized in
            x.withUnsafeBufferPointer { x in
                coefficients.withUnsafeBufferPointer { w in
                    for row in 0..<rows {
                        for target in 0..<targets {
                            out[row * targets + target] =
                                Self.dot(x.baseAddress! + row * features, w.baseAddress! + target * features, features)
                                + intercepts[target]
                        }
                    }
                }
            }
            initialized = rows * targets
        }
    }

    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum += x[i] * w[i]
            i += 1
        }
        return sum
    }
}

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
        var scores = scorer.scores(try x.floatValues("LinearClassifier X"), rows: rows)
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
                return [.tensor(labels.tensor(classes, shape: [rows])), .tensor(Tensor(shape: [rows, 2], values: pairs))]
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
