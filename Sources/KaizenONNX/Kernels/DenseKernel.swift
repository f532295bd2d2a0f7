/// `MatMul` by constant weights, `Add` of a constant bias and, optionally, `Relu` or GELU, fused into one pass.
///
/// The graph builder forms it from those nodes when the intermediate results have no other reader (a dense layer of
/// an MLP), so the bias and activation are applied while the product is still in registers.
struct DenseKernel: Kernel {
    let weights: PackedMatrix
    /// The original operands, for inputs that are not 2-D float matrices.
    let weightTensor: Tensor
    let biasTensor: Tensor
    let activation: PackedMatrix.Activation

    /// The same layer with another activation, its packed weights shared.
    func with(_ activation: PackedMatrix.Activation) -> DenseKernel {
        DenseKernel(
            weights: weights.with(activation), weightTensor: weightTensor, biasTensor: biasTensor,
            activation: activation)
    }

    private init(weights: PackedMatrix, weightTensor: Tensor, biasTensor: Tensor, activation: PackedMatrix.Activation) {
        self.weights = weights
        self.weightTensor = weightTensor
        self.biasTensor = biasTensor
        self.activation = activation
    }

    /// The fused kernel, or `nil` when the operands are not a float matrix and a bias row that fits it.
    init?(weights: Tensor, bias: Tensor, activation: PackedMatrix.Activation) {
        guard weights.rank == 2, let values = weights.floats, let biasValues = bias.floats,
            bias.count == 1 || (bias.count == weights.shape[1] && bias.shape.last == weights.shape[1])
        else { return nil }
        self.weights = PackedMatrix(values, rows: weights.shape[0], columns: weights.shape[1])
            .withEpilogue(bias: biasValues, activation: activation)
        self.weightTensor = weights
        self.biasTensor = bias
        self.activation = activation
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "MatMul A")
        // Rows of any rank ([batch, sequence, hidden] in an encoder): the leading axes are one axis of rows.
        guard x.rank >= 2, let values = x.floats else { return [.tensor(try unfused(x))] }
        guard x.shape[x.rank - 1] == weights.rows else {
            throw .invalidArgument("MatMul: shapes \(x.shape) and [\(weights.rows), \(weights.columns)] do not align")
        }
        let rows = x.shape.dropLast().reduce(1, *)
        let product = weights.multiply(values, m: rows)
        return [.tensor(Tensor(shape: x.shape.dropLast() + [weights.columns], values: product))]
    }

    /// The three operators one after the other (inputs of other ranks or types).
    private func unfused(_ x: Tensor) throws(ONNXError) -> Tensor {
        let product = try MatMulKernel.matmul(x, weightTensor)
        var result = try BinaryKernel(operation: .add).run([.tensor(product), .tensor(biasTensor)])
        switch activation {
        case .none: break
        case .relu: result = try UnaryKernel(operation: .relu).run(result)
        case .gelu: result = try UnaryKernel(operation: .gelu).run(result)
        }
        guard case .tensor(let tensor)? = result.first else { throw .runtime("dense layer produced no tensor") }
        return tensor
    }
}
