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
        // Over the last axis (attention scores): each row in place, through pointers.
        if inner == 1 && !isLog {
            result.withUnsafeMutableBufferPointer { rows in
                for o in 0..<outer {
                    let row = UnsafeMutableBufferPointer(rebasing: rows[(o * size)..<((o + 1) * size)])
                    var peak = T.lowest
                    for value in row { peak = Swift.max(peak, value) }
                    var sum: T = 0
                    for k in row.indices {
                        let e = T.exp(row[k] - peak)
                        row[k] = e
                        sum += e
                    }
                    for k in row.indices { row[k] /= sum }
                }
            }
            return Tensor(shape: x.shape, values: result)
        }
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
