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
