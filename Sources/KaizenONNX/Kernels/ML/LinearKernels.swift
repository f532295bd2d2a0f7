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

    /// Two dot products of one row, reading the row once.
    @inline(__always)
    static func dot2(
        _ x: UnsafePointer<Float>, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ n: Int
    )
        -> (Float, Float)
    {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            a0 += v * UnsafeRawPointer(w0 + i).loadUnaligned(as: SIMD8<Float>.self)
            a1 += v * UnsafeRawPointer(w1 + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s0 = a0.sum()
        var s1 = a1.sum()
        while i < n {
            s0 += x[i] * w0[i]
            s1 += x[i] * w1[i]
            i += 1
        }
        return (s0, s1)
    }

    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc +=
                UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
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

extension LinearClassifierKernel {
    /// One score per row and two labels (binary logistic regression): scores, transform, labels and the two
    /// probability columns in one pass, eight rows at a time.
    func binary(_ values: [Float], rows: Int) -> [Value] {
        let features = scorer.features
        let intercept = scorer.intercepts[0]
        let logistic = transform == .logistic
        var positive = [Bool](repeating: false, count: rows)
        let pairs = [Float](unsafeUninitializedCapacity: rows * 2) { out, initialized in
            positive.withUnsafeMutableBufferPointer { positive in
                values.withUnsafeBufferPointer { x in
                    scorer.coefficients.withUnsafeBufferPointer { w in
                        guard let x = x.baseAddress, let w = w.baseAddress else { return }
                        var row = 0
                        while row < rows {
                            let count = min(8, rows - row)
                            var scores = SIMD8<Float>(repeating: 0)
                            for lane in 0..<count {
                                scores[lane] = LinearScorer.dot(x + (row + lane) * features, w, features) + intercept
                            }
                            let p = logistic ? VectorMath.logistic(scores) : scores
                            for lane in 0..<count {
                                positive[row + lane] = scores[lane] > 0
                                out[2 * (row + lane)] = 1 - p[lane]
                                out[2 * (row + lane) + 1] = p[lane]
                            }
                            row += count
                        }
                    }
                }
            }
            initialized = rows * 2
        }
        return [.tensor(labelTensor(positive)), .tensor(Tensor(shape: [rows, 2], values: pairs))]
    }

    /// Two rows of coefficients (what converters write for binary logistic regression): both scores from one read
    /// of each row, the label, and the transform eight rows at a time.
    func twoClass(_ values: [Float], rows: Int) -> [Value] {
        let features = scorer.features
        let (b0, b1) = (scorer.intercepts[0], scorer.intercepts[1])
        let logistic = transform == .logistic
        var positive = [Bool](repeating: false, count: rows)
        let pairs = [Float](unsafeUninitializedCapacity: rows * 2) { out, initialized in
            positive.withUnsafeMutableBufferPointer { positive in
                values.withUnsafeBufferPointer { x in
                    scorer.coefficients.withUnsafeBufferPointer { w in
                        guard let x = x.baseAddress, let w0 = w.baseAddress else { return }
                        let w1 = w0 + features
                        var row = 0
                        while row < rows {
                            let count = min(8, rows - row)
                            var first = SIMD8<Float>(repeating: 0)
                            var second = SIMD8<Float>(repeating: 0)
                            for lane in 0..<count {
                                let (s0, s1) = LinearScorer.dot2(x + (row + lane) * features, w0, w1, features)
                                first[lane] = s0 + b0
                                second[lane] = s1 + b1
                            }
                            let p0 = logistic ? VectorMath.logistic(first) : first
                            let p1 = logistic ? VectorMath.logistic(second) : second
                            for lane in 0..<count {
                                positive[row + lane] = second[lane] > first[lane]
                                out[2 * (row + lane)] = p0[lane]
                                out[2 * (row + lane) + 1] = p1[lane]
                            }
                            row += count
                        }
                    }
                }
            }
            initialized = rows * 2
        }
        return [.tensor(labelTensor(positive)), .tensor(Tensor(shape: [rows, 2], values: pairs))]
    }

    private func labelTensor(_ positive: [Bool]) -> Tensor {
        let rows = positive.count
        let labelTensor: Tensor
        switch labels {
        case .int64(let names):
            let (negative, positiveLabel) = (names[0], names[1])
            let values = [Int64](unsafeUninitializedCapacity: rows) { out, initialized in
                positive.withUnsafeBufferPointer { flags in
                    for row in 0..<rows { out[row] = flags[row] ? positiveLabel : negative }
                }
                initialized = rows
            }
            labelTensor = Tensor(shape: [rows], values: values)
        case .string(let names):
            labelTensor = Tensor(unchecked: [rows], .string(positive.map { $0 ? names[1] : names[0] }))
        }
        return labelTensor
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
