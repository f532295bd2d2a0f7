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
