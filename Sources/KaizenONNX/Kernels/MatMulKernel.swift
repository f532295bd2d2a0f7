/// `MatMul` with numpy semantics: 1-D operands are promoted, leading (batch) dimensions broadcast.
struct MatMulKernel: Kernel {
    /// The right operand packed at load time when it is a 2-D float constant (a layer's weights).
    let packedWeights: PackedMatrix?

    init(constantB: Tensor?) {
        if let constantB, constantB.rank == 2, let values = constantB.floats {
            packedWeights = PackedMatrix(values, rows: constantB.shape[0], columns: constantB.shape[1])
        } else {
            packedWeights = nil
        }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let a = try tensor(inputs, 0, "MatMul A")
        // Constant weights against rows of any rank ([batch, sequence, hidden] in an encoder): the leading axes are
        // one axis of rows for the packed product.
        if let packedWeights, a.rank >= 2, let x = a.floats {
            guard a.shape[a.rank - 1] == packedWeights.rows else {
                throw .invalidArgument(
                    "MatMul: shapes \(a.shape) and [\(packedWeights.rows), \(packedWeights.columns)] do not align")
            }
            let rows = a.shape.dropLast().reduce(1, *)
            let values = packedWeights.multiply(x, m: rows)
            return [.tensor(Tensor(shape: a.shape.dropLast() + [packedWeights.columns], values: values))]
        }
        let b = try tensor(inputs, 1, "MatMul B")
        return [.tensor(try Self.matmul(a, b))]
    }

    static func matmul(_ a: Tensor, _ b: Tensor) throws(ONNXError) -> Tensor {
        guard a.elementType == b.elementType else {
            throw .invalidArgument("MatMul: operands must have one type, got \(a.elementType) and \(b.elementType)")
        }
        guard a.rank >= 1, b.rank >= 1 else { throw .invalidArgument("MatMul: operands must have rank 1 or more") }
        let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let m = aShape[aShape.count - 2]
        let k = aShape[aShape.count - 1]
        let n = bShape[bShape.count - 1]
        guard bShape[bShape.count - 2] == k else {
            throw .invalidArgument("MatMul: shapes \(a.shape) and \(b.shape) do not align")
        }
        let batchShape = try Broadcast.shape(Array(aShape.dropLast(2)), Array(bShape.dropLast(2)))
        let aBatches = Broadcast.indices(from: Array(aShape.dropLast(2)), to: batchShape)
        let bBatches = Broadcast.indices(from: Array(bShape.dropLast(2)), to: batchShape)
        var outShape = batchShape + [m, n]
        if a.rank == 1 { outShape.remove(at: outShape.count - 2) }
        if b.rank == 1 { outShape.removeLast() }
        func product<T: NumericElement>(_ x: [T], _ y: [T], _ kernel: (ArraySlice<T>, ArraySlice<T>) -> [T]) -> [T] {
            var result: [T] = []
            result.reserveCapacity(aBatches.count * m * n)
            for (aBatch, bBatch) in zip(aBatches, bBatches) {
                result += kernel(
                    x[(aBatch * m * k)..<((aBatch + 1) * m * k)], y[(bBatch * k * n)..<((bBatch + 1) * k * n)])
            }
            return result
        }
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)):
            return Tensor(
                shape: outShape,
                values: Self.floatProducts(x, y, aBatches: aBatches, bBatches: bBatches, m: m, k: k, n: n))
        case (.double(let x), .double(let y)):
            return Tensor(
                shape: outShape, values: product(x, y) { NaiveMatrixMultiply.multiply($0, $1, m: m, k: k, n: n) })
        case (.int32(let x), .int32(let y)):
            return Tensor(
                shape: outShape, values: product(x, y) { NaiveMatrixMultiply.multiply($0, $1, m: m, k: k, n: n) })
        case (.int64(let x), .int64(let y)):
            return Tensor(
                shape: outShape, values: product(x, y) { NaiveMatrixMultiply.multiply($0, $1, m: m, k: k, n: n) })
        default:
            throw .invalidArgument("MatMul does not take tensor(\(a.elementType))")
        }
    }

    /// The float products of each pair of batches (`A[m × k] · B[k × n]`), read and written in place: each `B` is
    /// packed once however many `A` batches it meets (a broadcast right operand), and no batch is copied.
    static func floatProducts(
        _ x: [Float], _ y: [Float], aBatches: [Int], bBatches: [Int], m: Int, k: Int, n: Int
    ) -> [Float] {
        var output = [Float](repeating: 0, count: aBatches.count * m * n)
        guard m > 0, n > 0, k > 0 else { return output }
        x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { c in
                    guard let a = a.baseAddress, let c = c.baseAddress else { return }
                    var packed: (batch: Int, matrix: PackedMatrix)? = nil
                    for (index, (aBatch, bBatch)) in zip(aBatches, bBatches).enumerated() {
                        let matrix: PackedMatrix
                        if let packed, packed.batch == bBatch {
                            matrix = packed.matrix
                        } else {
                            matrix = PackedMatrix(
                                UnsafeBufferPointer(rebasing: b[(bBatch * k * n)..<((bBatch + 1) * k * n)]), rows: k,
                                columns: n)
                            packed = (bBatch, matrix)
                        }
                        matrix.multiply(a + aBatch * m * k, lda: k, m: m, into: c + index * m * n)
                    }
                }
            }
        }
        return output
    }
}
