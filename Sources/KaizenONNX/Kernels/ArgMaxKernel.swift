/// `ArgMax` and `ArgMin`: the index of the first (or, with `select_last_index`, last) extreme along an axis, as int64.
struct ArgMaxKernel: Kernel {
    let isMin: Bool
    let axis: Int
    let keepDims: Bool
    let selectLastIndex: Bool

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, isMin ? "ArgMin" : "ArgMax")
        switch x.storage {
        case .float(let v): return [.tensor(try argExtreme(v, x))]
        case .double(let v): return [.tensor(try argExtreme(v, x))]
        case .int32(let v): return [.tensor(try argExtreme(v, x))]
        case .int64(let v): return [.tensor(try argExtreme(v, x))]
        default: throw .invalidArgument("ArgMax does not take tensor(\(x.elementType))")
        }
    }

    private func argExtreme<T: Comparable>(_ values: [T], _ x: Tensor) throws(ONNXError) -> Tensor {
        let axis = try x.axis(self.axis, isMin ? "ArgMin" : "ArgMax")
        let size = x.shape[axis]
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        var result = [Int64](repeating: 0, count: outer * inner)
        if size > 0 {
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * size * inner + i
                    var best = values[base]
                    var bestIndex = 0
                    for k in 1..<max(size, 1) {
                        let value = values[base + k * inner]
                        let better =
                            isMin
                            ? (selectLastIndex ? value <= best : value < best)
                            : (selectLastIndex ? value >= best : value > best)
                        if better {
                            best = value
                            bestIndex = k
                        }
                    }
                    result[o * inner + i] = Int64(bestIndex)
                }
            }
        }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return Tensor(shape: shape, values: result)
    }
}

/// `Softmax` and `LogSoftmax`: before opset 13 over the input flattened to 2-D at `axis`, from 13 along `axis`.
struct SoftmaxKernel: Kernel {
    let axis: Int
    let flattens: Bool
    let isLog: Bool

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Softmax")
        switch x.storage {
        case .float(let v): return [.tensor(try softmax(v, x))]
        case .double(let v): return [.tensor(try softmax(v, x))]
        default: throw .invalidArgument("Softmax takes float or double, got tensor(\(x.elementType))")
        }
    }

    private func softmax<T: FloatElement>(_ values: [T], _ x: Tensor) throws(ONNXError) -> Tensor {
        let axis = try x.axis(self.axis, "Softmax", rankPlusOne: flattens)
        let outer: Int
        let size: Int
        let inner: Int
        if flattens {
            outer = x.shape[..<axis].reduce(1, *)
            size = x.shape[axis...].reduce(1, *)
            inner = 1
        } else {
            outer = x.shape[..<axis].reduce(1, *)
            size = x.shape[axis]
            inner = x.shape[(axis + 1)...].reduce(1, *)
        }
        var result = values
        if size == 0 { return Tensor(shape: x.shape, values: result) }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                var peak = T.lowest
                for k in 0..<size { peak = Swift.max(peak, values[base + k * inner]) }
                var sum: T = 0
                for k in 0..<size {
                    let e = T.exp(values[base + k * inner] - peak)
                    result[base + k * inner] = e
                    sum += e
                }
                if isLog {
                    let logSum = T.log(sum)
                    for k in 0..<size { result[base + k * inner] = values[base + k * inner] - peak - logSum }
                } else {
                    for k in 0..<size { result[base + k * inner] /= sum }
                }
            }
        }
        return Tensor(shape: x.shape, values: result)
    }
}

/// `TopK`: the k largest (or smallest) elements along an axis and their int64 indices; ties keep the lower index.
struct TopKKernel: Kernel {
    let axis: Int
    let largest: Bool
    let attributeK: Int?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "TopK")
        let k: Int
        if let attributeK {
            k = attributeK
        } else {
            let given = try tensor(inputs, 1, "TopK k").integers("TopK k")
            guard given.count == 1 else { throw .invalidArgument("TopK: k must hold one value, got \(given.count)") }
            k = given[0]
        }
        switch x.storage {
        case .float(let v): return try topK(v, x, k)
        case .double(let v): return try topK(v, x, k)
        case .int32(let v): return try topK(v, x, k)
        case .int64(let v): return try topK(v, x, k)
        default: throw .invalidArgument("TopK does not take tensor(\(x.elementType))")
        }
    }

    private func topK<T: NumericElement>(_ values: [T], _ x: Tensor, _ k: Int) throws(ONNXError) -> [Value] {
        let axis = try x.axis(self.axis, "TopK")
        let size = x.shape[axis]
        guard k >= 0, k <= size else { throw .invalidArgument("TopK: k = \(k) is outside 0...\(size)") }
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        var outValues = [T](repeating: 0, count: outer * k * inner)
        var outIndices = [Int64](repeating: 0, count: outer * k * inner)
        var order = [Int](repeating: 0, count: size)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                for j in 0..<size { order[j] = j }
                let largest = self.largest
                order.sort { a, b in
                    let va = values[base + a * inner]
                    let vb = values[base + b * inner]
                    if va == vb { return a < b }
                    return largest ? va > vb : va < vb
                }
                for j in 0..<k {
                    let target = o * k * inner + j * inner + i
                    outValues[target] = values[base + order[j] * inner]
                    outIndices[target] = Int64(order[j])
                }
            }
        }
        var shape = x.shape
        shape[axis] = k
        return [.tensor(Tensor(shape: shape, values: outValues)), .tensor(Tensor(shape: shape, values: outIndices))]
    }
}
