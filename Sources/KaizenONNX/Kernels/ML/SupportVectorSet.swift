import Foundation

/// Support vectors and the kernel function that compares input rows with them (`kernel_type`, `kernel_params`).
struct SupportVectorSet: Sendable {
    enum Function: String, Sendable {
        case linear = "LINEAR"
        case polynomial = "POLY"
        case rbf = "RBF"
        case sigmoid = "SIGMOID"
    }

    let function: Function
    let gamma: Float
    let coef0: Float
    let degree: Float
    let vectorCount: Int
    let featureCount: Int
    /// The support vectors, `vectorCount × featureCount`, row-major.
    let vectors: [Float]
    /// For RBF, the support vectors in blocks of eight, feature-major within a block (`[block][feature][8]`, the last
    /// block zero-padded), so that eight distances are summed side by side, each in feature order.
    let blocks: [Float]

    init(_ context: NodeContext, vectorCount: Int) throws(ONNXError) {
        let name = try context.string("kernel_type", default: "LINEAR")
        guard let function = Function(rawValue: name) else { throw context.invalid("unknown kernel_type '\(name)'") }
        let parameters = try context.floats("kernel_params") ?? []
        guard parameters.isEmpty || parameters.count >= 3 else {
            throw context.invalid("kernel_params must be [gamma, coef0, degree], got \(parameters.count) values")
        }
        let vectors = try context.floats("support_vectors") ?? []
        guard !vectors.isEmpty, vectors.count % vectorCount == 0 else {
            throw context.invalid(
                "support_vectors holds \(vectors.count) values, not a whole number of rows for \(vectorCount) vectors")
        }
        self.function = function
        // Without kernel_params every parameter is zero (onnxruntime refuses such a model; the spec allows it).
        gamma = parameters.first ?? 0
        coef0 = parameters.count >= 3 ? parameters[1] : 0
        degree = parameters.count >= 3 ? parameters[2] : 0
        self.vectorCount = vectorCount
        featureCount = vectors.count / vectorCount
        self.vectors = vectors
        var blocks: [Float] = []
        if function == .rbf {
            let features = featureCount
            blocks = [Float](repeating: 0, count: (vectorCount + 7) / 8 * features * 8)
            for vector in 0..<vectorCount {
                for feature in 0..<features {
                    blocks[((vector / 8) * features + feature) * 8 + vector % 8] = vectors[vector * features + feature]
                }
            }
        }
        self.blocks = blocks
    }

    /// K(row, vector) for every row of `x` (`rows × featureCount`) and every support vector: `rows × vectorCount`.
    func evaluate(_ x: [Float], rows: Int) -> [Float] {
        switch function {
        case .rbf:
            return radialBasis(x, rows: rows)
        case .linear:
            return ReferenceGemm.multiply(x, rows: rows, vectors, columns: vectorCount, depth: featureCount)
        case .polynomial:
            var values = ReferenceGemm.multiply(
                x, rows: rows, vectors, columns: vectorCount, depth: featureCount, alpha: gamma,
                bias: coef0 == 0 ? nil : coef0)
            values.withUnsafeMutableBufferPointer { values in
                for index in values.indices { values[index] = power(values[index]) }
            }
            return values
        case .sigmoid:
            var values = ReferenceGemm.multiply(
                x, rows: rows, vectors, columns: vectorCount, depth: featureCount, alpha: gamma,
                bias: coef0 == 0 ? nil : coef0)
            values.withUnsafeMutableBufferPointer { values in
                for index in values.indices { values[index] = SVMOperators.approximateTanh(values[index]) }
            }
            return values
        }
    }

    /// base^degree as onnxruntime computes it with Eigen: squares and cubes by multiplication, other whole exponents
    /// by repeated squaring, anything else with powf.
    private func power(_ base: Float) -> Float {
        if degree == 2 { return base * base }
        if degree == 3 { return base * base * base }
        guard degree >= 1, degree <= 64, degree == degree.rounded() else { return powf(base, degree) }
        var exponent = Int(degree)
        var result: Float = 1
        var factor = base
        while exponent > 1 {
            if exponent % 2 == 1 { result *= factor }
            factor *= factor
            exponent /= 2
        }
        return result * factor
    }

    /// exp(−γ‖x − v‖²), each squared distance summed in float in feature order as onnxruntime's scalar loop does
    /// (eight support vectors at a time, one per SIMD lane, which keeps every lane's order).
    private func radialBasis(_ x: [Float], rows: Int) -> [Float] {
        let features = featureCount
        let count = vectorCount
        let scale = SIMD8<Float>(repeating: -gamma)
        return [Float](unsafeUninitializedCapacity: rows * count) { output, initialized in
            x.withUnsafeBufferPointer { x in
                blocks.withUnsafeBytes { blocks in
                    for row in 0..<rows {
                        let input = row * features
                        var vector = 0
                        var offset = 0
                        while vector < count {
                            var sum = SIMD8<Float>()
                            for feature in 0..<features {
                                let column = blocks.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                                let difference = SIMD8<Float>(repeating: x[input + feature]) - column
                                sum += difference * difference
                                offset += MemoryLayout<SIMD8<Float>>.stride
                            }
                            let exponents = scale * sum
                            for lane in 0..<min(8, count - vector) {
                                output.initializeElement(at: row * count + vector + lane, to: expf(exponents[lane]))
                            }
                            vector += 8
                        }
                    }
                }
            }
            initialized = rows * count
        }
    }
}
