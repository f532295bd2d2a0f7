/// `CumSum`: running sums along an axis (given as a scalar input), from the end with `reverse`, each excluding its
/// own element with `exclusive`.
struct CumSumKernel: Kernel {
    let exclusive: Bool
    let reverse: Bool

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "CumSum x")
        let axes = try tensor(inputs, 1, "CumSum axis").integers("CumSum axis")
        guard axes.count == 1 else { throw .invalidArgument("CumSum: axis must be a scalar") }
        let axis = try x.axis(axes[0], "CumSum")
        switch x.storage {
        case .float(let values): return [.tensor(sums(values, x.shape, axis))]
        case .double(let values): return [.tensor(sums(values, x.shape, axis))]
        case .int32(let values): return [.tensor(sums(values, x.shape, axis))]
        case .int64(let values): return [.tensor(sums(values, x.shape, axis))]
        default: throw .invalidArgument("CumSum does not take tensor(\(x.elementType))")
        }
    }

    private func sums<T: NumericElement>(_ values: [T], _ shape: [Int], _ axis: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let size = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var output = [T](repeating: 0, count: values.count)
        for block in 0..<outer {
            for lane in 0..<inner {
                var total: T = 0
                for step in 0..<size {
                    let position = reverse ? size - 1 - step : step
                    let index = (block * size + position) * inner + lane
                    if exclusive {
                        output[index] = total
                        total = T.wrappingSum(total, values[index])
                    } else {
                        total = T.wrappingSum(total, values[index])
                        output[index] = total
                    }
                }
            }
        }
        return Tensor(shape: shape, values: output)
    }
}
