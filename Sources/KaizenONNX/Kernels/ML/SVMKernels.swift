import Foundation

/// The ai.onnx.ml support vector machine operators, `SVMClassifier` and `SVMRegressor` (opset 1).
enum SVMOperators {
    static let definitions: [OperatorDefinition] = [
        .init(.ml, "SVMClassifier") { context throws(ONNXError) in try SVMClassifierKernel(context) },
        .init(.ml, "SVMRegressor") { context throws(ONNXError) in try SVMRegressorKernel(context) },
    ]

    /// MLAS's logistic (`MlasComputeLogistic`, FMA3 kernel), which onnxruntime applies to a row of several scores:
    /// the input clamped to ±18, then a rational polynomial in fused multiply-adds.
    static func approximateLogistic(_ value: Float) -> Float {
        var x: Float = -18 > value ? -18 : value
        x = 18 < x ? 18 : x
        let x2 = x * x
        var p = Float(bitPattern: 0x33f8_4ecb).addingProduct(x2, Float(bitPattern: 0x2e40_3551))
        p = Float(bitPattern: 0x387f_413b).addingProduct(x2, p)
        p = Float(bitPattern: 0x3c0b_7d58).addingProduct(x2, p)
        p = Float(bitPattern: 0x3e7e_3f32).addingProduct(x2, p)
        var q = Float(bitPattern: 0x31c5_f27b).addingProduct(x2, Float(bitPattern: 0x2b2b_c4f5))
        q = Float(bitPattern: 0x36d3_17dd).addingProduct(x2, q)
        q = Float(bitPattern: 0x3adf_153f).addingProduct(x2, q)
        q = Float(bitPattern: 0x3def_3e18).addingProduct(x2, q)
        q = Float(bitPattern: 0x3f7e_3f34).addingProduct(x2, q)
        let result = x * p / q + 0.5
        return 0 > result ? 0 : result
    }

    /// MLAS's tanh (`MlasComputeTanh`, FMA3 kernel), which onnxruntime's SIGMOID SVM kernel uses: the input clamped
    /// to ±9, then Eigen's rational polynomial in fused multiply-adds.
    static func approximateTanh(_ value: Float) -> Float {
        var x: Float = -9 > value ? -9 : value
        x = 9 < x ? 9 : x
        let x2 = x * x
        var p = Float(bitPattern: 0x2a61_337e).addingProduct(x2, Float(bitPattern: 0xa59f_25c0))
        p = Float(bitPattern: 0xaebd_37ff).addingProduct(x2, p)
        p = Float(bitPattern: 0x335c_0041).addingProduct(x2, p)
        p = Float(bitPattern: 0x3779_434a).addingProduct(x2, p)
        p = Float(bitPattern: 0x3a27_0ded).addingProduct(x2, p)
        p = Float(bitPattern: 0x3ba0_59dc).addingProduct(x2, p)
        var q = Float(bitPattern: 0x38f8_95d6).addingProduct(x2, Float(bitPattern: 0x35a0_d3d8))
        q = Float(bitPattern: 0x3b14_aa05).addingProduct(x2, q)
        q = Float(bitPattern: 0x3ba0_59dd).addingProduct(x2, q)
        return x * p / q
    }

    /// The input rows as floats (double and integer inputs are converted), checked against the model's feature count.
    static func rows(_ x: Tensor, featureCount: Int, _ op: String) throws(ONNXError) -> (values: [Float], rows: Int) {
        let rows: Int
        let features: Int
        switch x.rank {
        case 1: (rows, features) = (1, x.shape[0])
        case 2: (rows, features) = (x.shape[0], x.shape[1])
        default:
            throw .invalidArgument("\(op): X must have shape [N, \(featureCount)] or [\(featureCount)], got \(x.shape)")
        }
        guard features == featureCount else {
            throw .invalidArgument(
                "\(op): X has \(features) features per row (shape \(x.shape)), the model expects \(featureCount)")
        }
        switch x.storage {
        case .float(let values): return (values, rows)
        case .double(let values): return (values.map { Float($0) }, rows)
        case .int32(let values): return (values.map { Float($0) }, rows)
        case .int64(let values): return (values.map { Float($0) }, rows)
        default: throw .invalidArgument("\(op): X must be float, double, int32 or int64, got tensor(\(x.elementType))")
        }
    }
}

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

/// onnxruntime's single-precision GEMM as its SVM kernels call it, `alpha · A · Bᵀ (+ bias)`, summed in the order
/// MLAS sums on x86-64 with AVX2 and FMA, so that SVM scores match onnxruntime's to the bit on such machines.
///
/// MLAS has two paths: one row with alpha = 1 goes through its M = 1 kernel (eight non-fused lane sums, reduced in
/// an order that depends on how many columns are left); everything else through the blocked kernel (fused
/// multiply-adds in K order, K in blocks of 128 to 1024, each block added to the output with a fused
/// `acc · alpha + c`).
enum ReferenceGemm {
    /// `rows × columns` results from `a` (`rows × depth`) and `b` (`columns × depth`), both row-major.
    static func multiply(
        _ a: [Float], rows: Int, _ b: [Float], columns: Int, depth: Int, alpha: Float = 1, bias: Float? = nil
    ) -> [Float] {
        var result = [Float](repeating: 0, count: rows * columns)
        guard rows > 0, columns > 0, depth > 0, a.count >= rows * depth, b.count >= columns * depth else {
            return result
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { result in
                    if rows == 1 && alpha == 1 {
                        singleRow(a, b, columns: columns, depth: depth, bias: bias ?? 0, into: result)
                    } else {
                        blocked(
                            a, rows: rows, b, columns: columns, depth: depth, alpha: alpha, bias: bias, into: result)
                    }
                }
            }
        }
        return result
    }

    /// MLAS's `MlasSgemmKernelM1TransposeBAvx`.
    private static func singleRow(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int, bias: Float,
        into result: UnsafeMutableBufferPointer<Float>
    ) {
        func lanes(_ column: Int) -> SIMD8<Float> {
            var sums = SIMD8<Float>()
            let base = column * depth
            var k = 0
            while k + 8 <= depth {
                var x = SIMD8<Float>()
                var y = SIMD8<Float>()
                for lane in 0..<8 {
                    x[lane] = a[k + lane]
                    y[lane] = b[base + k + lane]
                }
                sums += x * y
                k += 8
            }
            if k < depth {
                var x = SIMD8<Float>()
                var y = SIMD8<Float>()
                for lane in 0..<(depth - k) {
                    x[lane] = a[k + lane]
                    y[lane] = b[base + k + lane]
                }
                sums += x * y
            }
            return sums
        }
        var column = 0
        while columns - column >= 4 {
            for index in column..<(column + 4) {
                let s = lanes(index)
                result[index] = ((((s[0] + s[1]) + s[2]) + s[3]) + (((s[4] + s[5]) + s[6]) + s[7])) + bias
            }
            column += 4
        }
        if columns - column >= 2 {
            for index in column..<(column + 2) {
                let s = lanes(index)
                result[index] = (((s[0] + s[2]) + (s[4] + s[6])) + ((s[1] + s[3]) + (s[5] + s[7]))) + bias
            }
            column += 2
        }
        if column < columns {
            let s = lanes(column)
            result[column] = (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) + bias
        }
    }

    /// MLAS's blocked SGEMM (`MlasSgemmKernelFma3`), eight columns at a time as MLAS does, each lane a fused
    /// multiply-add chain in K order.
    private static func blocked(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        // MlasSgemmOperation's K stride: 128, doubled while the N stride can halve for a narrow B.
        var strideN = 128
        var strideK = 128
        if columns >= depth {
            while strideK / 2 >= depth {
                strideN *= 2
                strideK /= 2
            }
        } else {
            while strideN > 16 && strideN / 2 >= columns {
                strideK *= 2
                strideN /= 2
            }
        }
        var row = 0
        if columns < 8 {
            // A narrow B (SVMRegressor's one column of coefficients): eight rows side by side in the SIMD lanes.
            narrow(
                a, rows: rows, b, columns: columns, depth: depth, strideK: strideK, alpha: alpha, bias: bias,
                into: result)
            row = rows / 8 * 8
        }
        if row < rows {
            chains(
                UnsafeBufferPointer(rebasing: a[(row * depth)...]), rows: rows - row, b, columns: columns, depth: depth,
                strideK: strideK, alpha: alpha, bias: bias,
                into: UnsafeMutableBufferPointer(rebasing: result[(row * columns)...]))
        }
    }

    /// The first `rows / 8 * 8` rows, eight rows per SIMD vector, each lane one output's chain in K order.
    private static func narrow(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        strideK: Int, alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        let scale = SIMD8<Float>(repeating: alpha)
        for column in 0..<columns {
            let weights = column &* depth
            var row = 0
            while row + 8 <= rows {
                var output = SIMD8<Float>(repeating: bias ?? 0)
                var zeroMode = bias == nil
                var start = 0
                while start < depth {
                    let end = min(start + strideK, depth)
                    var sum = SIMD8<Float>()
                    for k in start..<end {
                        let p = row &* depth &+ k
                        let x = SIMD8<Float>(
                            a[p], a[p &+ depth], a[p &+ 2 &* depth], a[p &+ 3 &* depth], a[p &+ 4 &* depth],
                            a[p &+ 5 &* depth], a[p &+ 6 &* depth], a[p &+ 7 &* depth])
                        sum = sum.addingProduct(x, SIMD8(repeating: b[weights &+ k]))
                    }
                    output = zeroMode ? sum * scale : output.addingProduct(sum, scale)
                    zeroMode = false
                    start = end
                }
                for lane in 0..<8 { result[(row + lane) * columns + column] = output[lane] }
                row += 8
            }
        }
    }

    /// `alpha · A · Bᵀ (+ bias)`, each output one chain of fused multiply-adds in K order per K block of `strideK`.
    private static func chains(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        strideK: Int, alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        // B in blocks of eight columns, K-major within a block (`[block][k][8]`, the last block zero-padded).
        let blockCount = (columns + 7) / 8
        var packed = [Float](repeating: 0, count: blockCount * depth * 8)
        for column in 0..<columns {
            let lane = (column / 8) &* depth &* 8 &+ column % 8
            let source = column &* depth
            for k in 0..<depth { packed[lane &+ k &* 8] = b[source &+ k] }
        }
        let scale = SIMD8<Float>(repeating: alpha)
        let initial = SIMD8<Float>(repeating: bias ?? 0)
        packed.withUnsafeBytes { packed in
            // Four rows side by side (as MLAS keeps several rows in registers), so that four independent chains of
            // fused multiply-adds overlap; every output is still its own chain in K order.
            var row = 0
            while row < rows {
                let group = rows - row >= 4 ? 4 : 1
                for block in 0..<blockCount {
                    let weights = block &* depth
                    var outputs = (initial, initial, initial, initial)
                    var zeroMode = bias == nil
                    var start = 0
                    while start < depth {
                        let end = min(start + strideK, depth)
                        var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
                        let base = row &* depth
                        if group == 4 {
                            for k in start..<end {
                                let column = packed.loadUnaligned(
                                    fromByteOffset: (weights &+ k) &* 32, as: SIMD8<Float>.self)
                                sums.0 = sums.0.addingProduct(SIMD8(repeating: a[base &+ k]), column)
                                sums.1 = sums.1.addingProduct(SIMD8(repeating: a[base &+ depth &+ k]), column)
                                sums.2 = sums.2.addingProduct(SIMD8(repeating: a[base &+ 2 &* depth &+ k]), column)
                                sums.3 = sums.3.addingProduct(SIMD8(repeating: a[base &+ 3 &* depth &+ k]), column)
                            }
                        } else {
                            for k in start..<end {
                                let column = packed.loadUnaligned(
                                    fromByteOffset: (weights &+ k) &* 32, as: SIMD8<Float>.self)
                                sums.0 = sums.0.addingProduct(SIMD8(repeating: a[base &+ k]), column)
                            }
                        }
                        if zeroMode {
                            outputs = (sums.0 * scale, sums.1 * scale, sums.2 * scale, sums.3 * scale)
                        } else {
                            outputs.0 = outputs.0.addingProduct(sums.0, scale)
                            outputs.1 = outputs.1.addingProduct(sums.1, scale)
                            outputs.2 = outputs.2.addingProduct(sums.2, scale)
                            outputs.3 = outputs.3.addingProduct(sums.3, scale)
                        }
                        zeroMode = false
                        start = end
                    }
                    let first = block * 8
                    let lanes = min(8, columns - first)
                    func store(_ output: SIMD8<Float>, _ offset: Int) {
                        for lane in 0..<lanes { result[(row + offset) * columns + first + lane] = output[lane] }
                    }
                    store(outputs.0, 0)
                    if group == 4 {
                        store(outputs.1, 1)
                        store(outputs.2, 2)
                        store(outputs.3, 3)
                    }
                }
                row += group
            }
        }
    }
}

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

/// `SVMRegressor` (ai.onnx.ml 1): Σ coefficient · K(x, support vector) + rho[0], or a linear model without support
/// vectors; `one_class` turns the value into ±1. Output float `[N, 1]`.
///
/// Like onnxruntime, `post_transform` is read but not applied.
struct SVMRegressorKernel: Kernel {
    /// How the value is computed.
    enum Mode: Sendable {
        /// No support vectors: x · coefficients + rho[0].
        case linear
        /// Σ coefficients[v] · K(x, v) + rho[0].
        case supportVectors(SupportVectorSet)
    }

    let mode: Mode
    let featureCount: Int
    let coefficients: [Float]
    let bias: Float
    let oneClass: Bool

    init(_ context: NodeContext) throws(ONNXError) {
        let vectorCount = try context.required("n_supports", context.int)
        let coefficients = try context.required("coefficients", context.floats)
        let rho = try context.required("rho", context.floats)
        guard vectorCount >= 0 else { throw context.invalid("n_supports must not be negative, got \(vectorCount)") }
        guard !coefficients.isEmpty else { throw context.invalid("coefficients is empty") }
        guard let bias = rho.first else { throw context.invalid("rho is empty") }
        _ = try PostTransform(context)
        if vectorCount > 0 {
            guard coefficients.count >= vectorCount else {
                throw context.invalid(
                    "coefficients holds \(coefficients.count) values for \(vectorCount) support vectors")
            }
            let set = try SupportVectorSet(context, vectorCount: vectorCount)
            mode = .supportVectors(set)
            featureCount = set.featureCount
        } else {
            featureCount = coefficients.count
            mode = .linear
        }
        self.coefficients = coefficients
        self.bias = bias
        oneClass = try context.int("one_class", default: 0) != 0
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let (x, rows) = try SVMOperators.rows(
            tensor(inputs, 0, "SVMRegressor X"), featureCount: featureCount, "SVMRegressor")
        var values: [Float]
        switch mode {
        case .linear:
            values = ReferenceGemm.multiply(
                x, rows: rows, coefficients, columns: 1, depth: featureCount, bias: bias == 0 ? nil : bias)
        case .supportVectors(let set):
            // onnxruntime passes rho to this Gemm even when it is zero.
            values = ReferenceGemm.multiply(
                set.evaluate(x, rows: rows), rows: rows, coefficients, columns: 1, depth: set.vectorCount, bias: bias)
        }
        if oneClass {
            for index in values.indices { values[index] = values[index] > 0 ? 1 : -1 }
        }
        return [.tensor(Tensor(unchecked: [rows, 1], .float(values)))]
    }
}
