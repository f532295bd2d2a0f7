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
