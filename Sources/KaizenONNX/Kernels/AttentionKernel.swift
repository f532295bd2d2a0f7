/// Scaled dot-product attention as one kernel, fused at load from the operators an exporter writes it with:
/// `MatMul(Q, Kᵀ)`, a scale (`Div` or `Mul` by a constant), a mask (`Add` of a bias, or `Where` with a fill),
/// `Softmax` over the keys, `MatMul` by `V`, and the `Transpose`s that move heads in and out of place.
///
/// Per batch and head, the head's queries, keys and values are gathered into contiguous matrices (reading through
/// the absorbed transposes), the scores computed by the packed product, scaled, masked and normalized row by row in
/// place, multiplied by the values, and written where the output layout puts them: no score tensor, transpose or
/// broadcast pass is materialized.
struct AttentionKernel: Kernel {
    /// Where an operand's element (batch, head, position, feature) is in the tensor the kernel reads.
    enum Layout: Sendable {
        /// `[batch, heads, positions, features]`.
        case headsFirst
        /// `[batch, positions, heads, features]`: the tensor before a `Transpose(perm: [0, 2, 1, 3])`.
        case positionsFirst
        /// `[batch, heads, features, positions]`: keys already transposed (the product's right operand as given).
        case featuresFirst
    }

    enum Mask: Sendable {
        case none
        /// Scores plus the mask input (broadcast to `[batch, heads, queries, keys]`).
        case add
        /// `Where(mask, fill, scores)` (`fillWhere == true`) or `Where(mask, scores, fill)`.
        case fill(Float, fillWhere: Bool)
    }

    let query: Layout
    let key: Layout
    let value: Layout
    /// `headsFirst`, or `positionsFirst` when the output's `Transpose(perm: [0, 2, 1, 3])` was absorbed.
    let output: Layout
    /// The scores' factor (1 / √d as the exporter writes it, by division or product).
    let scale: Float
    let mask: Mask

    /// Strides of a 4-D operand as (batch, head, position, feature), with its sizes in that order.
    struct View {
        let strides: (batch: Int, head: Int, position: Int, feature: Int)
        let sizes: (batch: Int, heads: Int, positions: Int, features: Int)

        init(_ shape: [Int], _ layout: Layout) {
            let s3 = 1
            let s2 = shape[3]
            let s1 = shape[2] * shape[3]
            let s0 = shape[1] * s1
            switch layout {
            case .headsFirst:
                strides = (s0, s1, s2, s3)
                sizes = (shape[0], shape[1], shape[2], shape[3])
            case .positionsFirst:
                strides = (s0, s2, s1, s3)
                sizes = (shape[0], shape[2], shape[1], shape[3])
            case .featuresFirst:
                strides = (s0, s1, s3, s2)
                sizes = (shape[0], shape[1], shape[3], shape[2])
            }
        }

        /// Head (b, h) packed as a product's right operand, read in place: `[features × positions]` (keys, for
        /// Q · Kᵀ) or `[positions × features]` (values).
        func packed(_ values: UnsafeBufferPointer<Float>, _ b: Int, _ h: Int, featuresFirst: Bool) -> PackedMatrix {
            let start = values.baseAddress.map { $0 + b * strides.batch + h * strides.head }
            return featuresFirst
                ? PackedMatrix(
                    strided: start, rows: sizes.features, columns: sizes.positions, rowStride: strides.feature,
                    columnStride: strides.position)
                : PackedMatrix(
                    strided: start, rows: sizes.positions, columns: sizes.features, rowStride: strides.position,
                    columnStride: strides.feature)
        }

        /// The rows of head (b, h) as a contiguous `[positions × features]` matrix.
        func gather(_ values: UnsafeBufferPointer<Float>, batch b: Int, head h: Int, into out: inout [Float]) {
            let base = b * strides.batch + h * strides.head
            let (positions, features) = (sizes.positions, sizes.features)
            out.withUnsafeMutableBufferPointer { target in
                if strides.feature == 1 {
                    for p in 0..<positions {
                        let from = base + p * strides.position
                        (target.baseAddress! + p * features).update(from: values.baseAddress! + from, count: features)
                    }
                } else {
                    for p in 0..<positions {
                        for f in 0..<features {
                            target[p * features + f] = values[base + p * strides.position + f * strides.feature]
                        }
                    }
                }
            }
        }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let q = try tensor(inputs, 0, "Attention query")
        let k = try tensor(inputs, 1, "Attention key")
        let v = try tensor(inputs, 2, "Attention value")
        guard q.rank == 4, k.rank == 4, v.rank == 4, let qValues = q.floats, let kValues = k.floats,
            let vValues = v.floats
        else {
            throw .invalidArgument(
                "Attention: query, key and value must be 4-D float tensors, got \(q.shape), \(k.shape), \(v.shape)")
        }
        let qView = View(q.shape, query)
        let kView = View(k.shape, key)
        let vView = View(v.shape, value)
        let (batches, heads, queries, depth) = qView.sizes
        let keys = kView.sizes.positions
        guard kView.sizes.batch == batches, kView.sizes.heads == heads, kView.sizes.features == depth,
            vView.sizes.batch == batches, vView.sizes.heads == heads, vView.sizes.positions == keys
        else {
            throw .invalidArgument("Attention: shapes \(q.shape), \(k.shape) and \(v.shape) do not align")
        }
        let width = vView.sizes.features
        let maskTensor: Tensor? = if case .none = mask { nil } else { try tensor(inputs, 3, "Attention mask") }
        let maskStrides = try maskTensor.map { tensor throws(ONNXError) in
            try Self.broadcastStrides(tensor.shape, to: [batches, heads, queries, keys])
        }
        let maskFloats = maskTensor?.floats
        let maskBools = maskTensor?.bools
        if case .add = mask, maskFloats == nil {
            throw .invalidArgument(
                "Attention: the added mask must be float, got tensor(\(maskTensor?.elementType ?? .float))")
        }
        if case .fill = mask, maskBools == nil {
            throw .invalidArgument(
                "Attention: the Where mask must be bool, got tensor(\(maskTensor?.elementType ?? .float))")
        }

        let outputShape = output == .headsFirst ? [batches, heads, queries, width] : [batches, queries, heads, width]
        var result = [Float](repeating: 0, count: batches * heads * queries * width)
        qValues.withUnsafeBufferPointer { qBuffer in
            kValues.withUnsafeBufferPointer { kBuffer in
                vValues.withUnsafeBufferPointer { vBuffer in
                    result.withUnsafeMutableBufferPointer { out in
                        let shared = UncheckedSendable((qBuffer, kBuffer, vBuffer, out))
                        // Heads apart across the call's threads, each with its own buffers.
                        IntraOpThreads.split(batches * heads, work: batches * heads * queries * keys * (depth + width))
                        {
                            range in
                            let (qBuffer, kBuffer, vBuffer, out) = shared.value
                            var qHead = [Float](repeating: 0, count: queries * depth)
                            for task in range {
                                let (b, h) = (task / heads, task % heads)
                                qView.gather(qBuffer, batch: b, head: h, into: &qHead)
                                // Scores: Q · Kᵀ, the head's keys packed straight from the key tensor as the
                                // product's right operand ([features × keys]), its values likewise.
                                var scores = kView.packed(kBuffer, b, h, featuresFirst: true)
                                    .multiply(qHead, m: queries, alone: true)
                                normalize(
                                    &scores, batch: b, head: h, queries: queries, keys: keys, strides: maskStrides,
                                    floats: maskFloats, bools: maskBools)
                                let context = vView.packed(vBuffer, b, h, featuresFirst: false)
                                    .multiply(scores, m: queries, alone: true)
                                write(
                                    context, batch: b, head: h, heads: heads, queries: queries, width: width, into: out)
                            }
                        }
                    }
                }
            }
        }
        return [.tensor(Tensor(shape: outputShape, values: result))]
    }

    /// Scales, masks and normalizes each row of `scores` (`[queries × keys]`) in place.
    func normalize(
        _ scores: inout [Float], batch b: Int, head h: Int, queries: Int, keys: Int, strides: [Int]?, floats: [Float]?,
        bools: [Bool]?
    ) {
        scores.withUnsafeMutableBufferPointer { rows in
            for i in 0..<queries {
                let row = UnsafeMutableBufferPointer(rebasing: rows[(i * keys)..<((i + 1) * keys)])
                let maskBase = strides.map { b * $0[0] + h * $0[1] + i * $0[2] } ?? 0
                let maskStep = strides?[3] ?? 0
                switch mask {
                case .none:
                    Self.scale(row, by: scale)
                case .add:
                    floats?.withUnsafeBufferPointer { added in
                        let from = added.baseAddress! + maskBase
                        if maskStep == 1 {
                            let target = UnsafeMutableRawPointer(row.baseAddress!)
                            let source = UnsafeRawPointer(from)
                            let factor = SIMD8<Float>(repeating: scale)
                            var j = 0
                            while j + 8 <= keys {
                                let scores = target.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                                let added = source.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                                target.storeBytes(
                                    of: scores * factor + added, toByteOffset: j * 4, as: SIMD8<Float>.self)
                                j += 8
                            }
                            while j < keys {
                                row[j] = row[j] * scale + from[j]
                                j += 1
                            }
                        } else {
                            for j in 0..<keys { row[j] = row[j] * scale + from[j * maskStep] }
                        }
                    }
                case .fill(let fill, let fillWhere):
                    if let bools {
                        for j in 0..<keys {
                            row[j] = bools[maskBase + j * maskStep] == fillWhere ? fill : row[j] * scale
                        }
                    }
                }
                let base = UnsafeMutableRawPointer(row.baseAddress!)
                var highest = SIMD8<Float>(repeating: -.infinity)
                var j = 0
                while j + 8 <= keys {
                    let lane = base.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                    highest = highest.replacing(with: lane, where: lane .> highest)
                    j += 8
                }
                var peak = highest.max()
                while j < keys {
                    peak = Swift.max(peak, row[j])
                    j += 1
                }
                var sum: Float = 0
                j = 0
                let peaks = SIMD8<Float>(repeating: peak)
                var sums = SIMD8<Float>()
                while j + 8 <= keys {
                    let lane = base.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                    let e = VectorMath.exp(lane - peaks)
                    base.storeBytes(of: e, toByteOffset: j * 4, as: SIMD8<Float>.self)
                    sums += e
                    j += 8
                }
                sum = sums.sum()
                while j < keys {
                    let e = Float.exp(row[j] - peak)
                    row[j] = e
                    sum += e
                    j += 1
                }
                Self.scale(row, by: 1 / sum)
            }
        }
    }

    /// Every value of `row` times `factor`, 8 at a time.
    @inline(__always)
    static func scale(_ row: UnsafeMutableBufferPointer<Float>, by factor: Float) {
        let base = UnsafeMutableRawPointer(row.baseAddress!)
        let factors = SIMD8<Float>(repeating: factor)
        var j = 0
        while j + 8 <= row.count {
            let lane = base.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            base.storeBytes(of: lane * factors, toByteOffset: j * 4, as: SIMD8<Float>.self)
            j += 8
        }
        while j < row.count {
            row[j] *= factor
            j += 1
        }
    }

    /// Head (b, h)'s context (`[queries × width]`) into the output, in its layout.
    func write(
        _ context: [Float], batch b: Int, head h: Int, heads: Int, queries: Int, width: Int,
        into out: UnsafeMutableBufferPointer<Float>
    ) {
        for i in 0..<queries {
            let to =
                output == .headsFirst
                ? ((b * heads + h) * queries + i) * width : ((b * queries + i) * heads + h) * width
            context.withUnsafeBufferPointer { context in
                (out.baseAddress! + to).update(from: context.baseAddress! + i * width, count: width)
            }
        }
    }

    /// Element strides of a tensor of `shape` read as broadcast to the rank-4 `target` (0 along broadcast axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) throws(ONNXError) -> [Int] {
        guard shape.count <= 4 else { throw .invalidArgument("Attention: the mask has rank \(shape.count)") }
        let padded = [Int](repeating: 1, count: 4 - shape.count) + shape
        var strides = [Int](repeating: 0, count: 4)
        var step = 1
        for axis in (0..<4).reversed() {
            guard padded[axis] == target[axis] || padded[axis] == 1 else {
                throw .invalidArgument("Attention: a mask of shape \(shape) does not broadcast to \(target)")
            }
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        return strides
    }
}
