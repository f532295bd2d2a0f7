/// `Gemm`: `alpha · A' · B' + beta · C`, with `A'`, `B'` optionally transposed and `C` broadcast to the result.
struct GemmKernel: Kernel {
    let transA: Bool
    let transB: Bool
    let alpha: Float
    let beta: Float
    let packedWeights: PackedMatrix?

    init(transA: Bool, transB: Bool, alpha: Float, beta: Float, constantB: Tensor?) {
        self.transA = transA
        self.transB = transB
        self.alpha = alpha
        self.beta = beta
        if let constantB, constantB.rank == 2, let values = constantB.floats {
            let (rows, columns) =
                transB ? (constantB.shape[1], constantB.shape[0]) : (constantB.shape[0], constantB.shape[1])
            packedWeights = PackedMatrix(values, rows: rows, columns: columns, transposed: transB)
        } else {
            packedWeights = nil
        }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        var a = try tensor(inputs, 0, "Gemm A")
        guard a.rank == 2 else { throw .invalidArgument("Gemm: A must be 2-D, got shape \(a.shape)") }
        if transA { a = a.transposed([1, 0]) }
        let c = try optionalTensor(inputs, 2, "Gemm C")
        if let packedWeights, let x = a.floats {
            guard a.shape[1] == packedWeights.rows else {
                throw .invalidArgument(
                    "Gemm: shapes do not align (A' is \(a.shape), B' has \(packedWeights.rows) rows)")
            }
            let product = packedWeights.multiply(x, m: a.shape[0])
            return [.tensor(try finish(product, [a.shape[0], packedWeights.columns], c))]
        }
        var b = try tensor(inputs, 1, "Gemm B")
        guard b.rank == 2 else { throw .invalidArgument("Gemm: B must be 2-D, got shape \(b.shape)") }
        if transB { b = b.transposed([1, 0]) }
        let product = try MatMulKernel.matmul(a, b)
        switch product.storage {
        case .float(let values): return [.tensor(try finish(values, product.shape, c))]
        case .double(let values): return [.tensor(try finish(values, product.shape, c))]
        default: throw .invalidArgument("Gemm takes float or double, got tensor(\(product.elementType))")
        }
    }

    private func finish<T: FloatElement>(_ product: [T], _ shape: [Int], _ c: Tensor?) throws(ONNXError) -> Tensor {
        let alpha = T(self.alpha)
        var result = alpha == 1 ? product : product.map { $0 * alpha }
        if let c, beta != 0 {
            let beta = T(self.beta)
            let bias = try c.values(as: T.self, "Gemm C")
            result = try Broadcast.apply(result, shape, bias, c.shape) { $0 + beta * $1 }.values
            guard result.count == product.count else {
                throw .invalidArgument("Gemm: C of shape \(c.shape) does not broadcast to \(shape)")
            }
        }
        return Tensor(shape: shape, values: result)
    }
}
