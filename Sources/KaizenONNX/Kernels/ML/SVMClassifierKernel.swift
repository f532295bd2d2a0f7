/// `SVMClassifier` (ai.onnx.ml 1): one-vs-one support vector classification, or a linear model when there are no
/// support vectors, with the labels and scores onnxruntime produces.
///
/// Outputs Y, the labels `[N]` (int64 or string), and Z, float scores `[N, ?]`: with prob_a/prob_b one probability per
/// class (Platt scaling of each pair, then libsvm's coupling); without them the pairwise decision values
/// (`[N, C(C−1)/2]`), or two columns for two classes; in linear mode one score per class.
struct SVMClassifierKernel: Kernel {
    /// The class labels (`classlabels_ints` or `classlabels_strings`).
    enum Labels: Sendable {
        case int64([Int64])
        case string([String])

        var count: Int {
            switch self {
            case .int64(let labels): labels.count
            case .string(let labels): labels.count
            }
        }

        func tensor(_ indices: [Int]) -> Tensor {
            switch self {
            case .int64(let labels): Tensor(unchecked: [indices.count], .int64(indices.map { labels[$0] }))
            case .string(let labels): Tensor(unchecked: [indices.count], .string(indices.map { labels[$0] }))
            }
        }
    }

    /// How scores are computed.
    enum Mode: Sendable {
        /// No support vectors (liblinear): score[c] = x · coefficients[c] + rho[0].
        case linear(bias: Float)
        /// libsvm: pairwise decision values from kernel values and dual coefficients, then votes.
        case supportVectors(SupportVectorSet)
    }

    let labels: Labels
    let classCount: Int
    let featureCount: Int
    let mode: Mode
    /// The first support vector and the number of support vectors of each class.
    let vectorStarts: [Int]
    let vectorCounts: [Int]
    let vectorCount: Int
    /// Dual coefficients, `(classCount − 1) × vectorCount` (unused in linear mode).
    let coefficients: [Float]
    let rho: [Float]
    let probabilityA: [Float]
    let probabilityB: [Float]
    let postTransform: PostTransform
    let weightsArePositive: Bool

    init(_ context: NodeContext) throws(ONNXError) {
        if let strings = try context.strings("classlabels_strings"), !strings.isEmpty {
            labels = .string(strings)
        } else if let ints = try context.int64s("classlabels_ints"), !ints.isEmpty {
            labels = .int64(ints)
        } else {
            throw context.invalid("one of classlabels_strings and classlabels_ints is required")
        }
        classCount = labels.count
        let coefficients = try context.required("coefficients", context.floats)
        let rho = try context.required("rho", context.floats)
        guard !coefficients.isEmpty else { throw context.invalid("coefficients is empty") }
        probabilityA = try context.floats("prob_a") ?? []
        probabilityB = try context.floats("prob_b") ?? []
        guard probabilityA.count == probabilityB.count else {
            throw context.invalid("prob_a has \(probabilityA.count) values but prob_b has \(probabilityB.count)")
        }
        postTransform = try PostTransform(context)

        let perClass = try context.int64s("vectors_per_class") ?? []
        var starts: [Int] = []
        var counts: [Int] = []
        var vectorCount = 0
        for count in perClass {
            guard count >= 0, count <= Int64(Int32.max), vectorCount <= Int(Int32.max) else {
                throw context.invalid("vectors_per_class holds an invalid count \(count)")
            }
            starts.append(vectorCount)
            counts.append(Int(count))
            vectorCount += Int(count)
        }
        vectorStarts = starts
        vectorCounts = counts
        self.vectorCount = vectorCount

        if vectorCount > 0 {
            guard perClass.count == classCount else {
                throw context.invalid("vectors_per_class has \(perClass.count) entries for \(classCount) class labels")
            }
            let pairs = classCount * (classCount - 1) / 2
            guard coefficients.count >= (classCount - 1) * vectorCount else {
                throw context.invalid(
                    "coefficients holds \(coefficients.count) values, expected (classes − 1) × vectors = "
                        + "\((classCount - 1) * vectorCount)")
            }
            guard rho.count >= pairs else {
                throw context.invalid("rho holds \(rho.count) values, expected one per class pair (\(pairs))")
            }
            guard probabilityA.isEmpty || probabilityA.count >= pairs else {
                throw context.invalid(
                    "prob_a holds \(probabilityA.count) values, expected one per class pair (\(pairs))")
            }
            let set = try SupportVectorSet(context, vectorCount: vectorCount)
            mode = .supportVectors(set)
            featureCount = set.featureCount
        } else {
            guard !rho.isEmpty else { throw context.invalid("rho is empty") }
            guard coefficients.count % classCount == 0 else {
                throw context.invalid(
                    "coefficients holds \(coefficients.count) values, not a whole number of rows for "
                        + "\(classCount) classes"
                )
            }
            // Linear mode ignores kernel_type (onnxruntime forces LINEAR) and uses rho[0] for every class.
            featureCount = coefficients.count / classCount
            mode = .linear(bias: rho[0])
        }
        self.coefficients = coefficients
        self.rho = rho
        weightsArePositive = coefficients.allSatisfy { $0 >= 0 }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let (x, rows) = try SVMOperators.rows(
            tensor(inputs, 0, "SVMClassifier X"), featureCount: featureCount, "SVMClassifier")
        let (winners, scores, width) =
            switch mode {
            case .linear(let bias): linearScores(x, rows: rows, bias: bias)
            case .supportVectors(let set): supportVectorScores(set.evaluate(x, rows: rows), rows: rows)
            }
        return [.tensor(labels.tensor(winners)), .tensor(Tensor(unchecked: [rows, width], .float(scores)))]
    }

    private func linearScores(_ x: [Float], rows: Int, bias: Float) -> (winners: [Int], scores: [Float], width: Int) {
        var scores = ReferenceGemm.multiply(
            x, rows: rows, coefficients, columns: classCount, depth: featureCount, bias: bias == 0 ? nil : bias)
        var winners = [Int](repeating: 0, count: rows)
        for row in 0..<rows {
            let range = (row * classCount)..<((row + 1) * classCount)
            var best = 0
            var bestScore = scores[range.lowerBound]
            for index in range where scores[index] > bestScore {
                best = index - range.lowerBound
                bestScore = scores[index]
            }
            // onnxruntime's binary rule looks at the best score, not at which class has it.
            if classCount == 2, probabilityA.isEmpty {
                if weightsArePositive ? bestScore >= 0.5 : bestScore > 0 { best = 1 }
            }
            winners[row] = best
            postTransform.applyBatchedRow(&scores, range)
        }
        return (winners, scores, classCount)
    }

    private func supportVectorScores(_ kernels: [Float], rows: Int) -> (winners: [Int], scores: [Float], width: Int) {
        let pairs = classCount * (classCount - 1) / 2
        let hasProbabilities = !probabilityA.isEmpty
        let width = hasProbabilities ? classCount : (classCount > 2 ? pairs : 2)
        var scores = [Float](repeating: 0, count: rows * width)
        var winners = [Int](repeating: 0, count: rows)
        var decisions = [Float](repeating: 0, count: pairs)
        var votes = [Int](repeating: 0, count: classCount)
        var pairwise = [Float](repeating: 0, count: hasProbabilities ? classCount * classCount : 0)
        for row in 0..<rows {
            let kernel = row * vectorCount
            for index in votes.indices { votes[index] = 0 }
            var pair = 0
            for i in 0..<(classCount - 1) {
                for j in (i + 1)..<classCount {
                    // Products in float, summed in double, as onnxruntime does.
                    var sum: Double = 0
                    let rowForJ = vectorCount * (j - 1) + vectorStarts[i]
                    for m in 0..<vectorCounts[i] {
                        sum += Double(coefficients[rowForJ + m] * kernels[kernel + vectorStarts[i] + m])
                    }
                    let rowForI = vectorCount * i + vectorStarts[j]
                    for m in 0..<vectorCounts[j] {
                        sum += Double(coefficients[rowForI + m] * kernels[kernel + vectorStarts[j] + m])
                    }
                    sum += Double(rho[pair])
                    decisions[pair] = Float(sum)
                    votes[sum > 0 ? i : j] += 1
                    pair += 1
                }
            }
            // The label is the class with most votes (the first on a tie), also when probabilities are computed.
            var best = 0
            for index in votes.indices where votes[index] > votes[best] { best = index }
            winners[row] = best

            let range = (row * width)..<((row + 1) * width)
            if hasProbabilities {
                pair = 0
                for i in 0..<(classCount - 1) {
                    for j in (i + 1)..<classCount {
                        let platt = 1 - UnaryKernel.sigmoid(decisions[pair] * probabilityA[pair] + probabilityB[pair])
                        let clamped = min(max(platt, 1.0e-7), 1 - 1.0e-7)
                        pairwise[i * classCount + j] = clamped
                        pairwise[j * classCount + i] = 1 - clamped
                        pair += 1
                    }
                }
                Self.coupleProbabilities(pairwise, classCount, into: &scores, at: range.lowerBound)
                postTransform.applyBatchedRow(&scores, range)
            } else if classCount > 2 {
                for pair in 0..<pairs { scores[range.lowerBound + pair] = decisions[pair] }
                postTransform.applyBatchedRow(&scores, range)
            } else if pairs == 1 {
                // Two classes (measured on onnxruntime 1.31.1): [−d, d] with NONE, [σ(−d), σ(d)] with LOGISTIC,
                // [1 − d, d] with SOFTMAX and SOFTMAX_ZERO (not transformed); PROBIT transforms d and leaves the
                // second column unwritten (uninitialised memory in onnxruntime, 0 here).
                let decision = decisions[0]
                let first = range.lowerBound
                switch postTransform {
                case .none: (scores[first], scores[first + 1]) = (-decision, decision)
                case .logistic:
                    (scores[first], scores[first + 1]) = (UnaryKernel.sigmoid(-decision), UnaryKernel.sigmoid(decision))
                case .softmax, .softmaxZero: (scores[first], scores[first + 1]) = (1 - decision, decision)
                case .probit: scores[first] = PostTransform.probit(decision)
                }
            }
        }
        return (winners, scores, width)
    }

    /// libsvm's `multiclass_probability` (Wu, Lin and Weng's second method) on the pairwise probabilities `r`
    /// (`k × k`), in float with onnxruntime's loop: at most 100 iterations, stopping when the error is below 0.005 / k.
    static func coupleProbabilities(_ r: [Float], _ k: Int, into p: inout [Float], at offset: Int) {
        var q = [Float](repeating: 0, count: k * k)
        var qp = [Float](repeating: 0, count: k)
        let epsilon: Float = 0.005 / Float(k)
        for i in 0..<k {
            p[offset + i] = 1 / Float(k)
            for j in 0..<i {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = q[j * k + i]
            }
            for j in (i + 1)..<k {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = -r[j * k + i] * r[i * k + j]
            }
        }
        for _ in 0..<100 {
            var pqp: Float = 0
            for i in 0..<k {
                qp[i] = 0
                for j in 0..<k { qp[i] += q[i * k + j] * p[offset + j] }
                pqp += p[offset + i] * qp[i]
            }
            var maxError: Float = 0
            for i in 0..<k {
                let error = abs(qp[i] - pqp)
                if error > maxError { maxError = error }
            }
            if maxError < epsilon { break }
            for i in 0..<k {
                let diff = (-qp[i] + pqp) / q[i * k + i]
                p[offset + i] += diff
                pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff)
                    p[offset + j] /= (1 + diff)
                }
            }
        }
    }
}
