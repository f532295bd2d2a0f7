/// `ReduceSum`, `ReduceMean`, `ReduceProd`, `ReduceSumSquare`, `ReduceLogSumExp`, `ReduceMax`, `ReduceMin`.
///
/// Axes come from the `axes` attribute in older opsets and from the second input in newer ones (ReduceSum from 13,
/// the others from 18); with no axes every axis is reduced, unless `noop_with_empty_axes` is set.
struct ReduceKernel: Kernel {
    enum Operation: String, Sendable {
        case sum = "ReduceSum"
        case mean = "ReduceMean"
        case prod = "ReduceProd"
        case sumSquare = "ReduceSumSquare"
        case logSumExp = "ReduceLogSumExp"
        case max = "ReduceMax"
        case min = "ReduceMin"
        case l1 = "ReduceL1"
        case l2 = "ReduceL2"
    }

    let operation: Operation
    let attributeAxes: [Int]?
    let axesFromInput: Bool
    let keepDims: Bool
    let noopWithEmptyAxes: Bool

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, operation.rawValue)
        var axes = attributeAxes ?? []
        if axesFromInput, let given = try optionalTensor(inputs, 1, "\(operation.rawValue) axes") {
            axes = try given.integers("\(operation.rawValue) axes")
        }
        if axes.isEmpty {
            if noopWithEmptyAxes { return [.tensor(x)] }
            axes = Array(0..<x.rank)
        }
        var reduced = Set<Int>()
        for axis in axes { reduced.insert(try x.axis(axis, operation.rawValue)) }
        switch x.storage {
        case .float(let v): return [.tensor(reduce(v, x.shape, reduced))]
        case .double(let v): return [.tensor(reduce(v, x.shape, reduced))]
        case .int32(let v): return [.tensor(try reduceIntegers(v, x.shape, reduced))]
        case .int64(let v): return [.tensor(try reduceIntegers(v, x.shape, reduced))]
        default: throw .invalidArgument("\(operation.rawValue) does not take tensor(\(x.elementType))")
        }
    }

    /// Output shape and, for every input element, the output element it folds into.
    private func layout(_ shape: [Int], _ reduced: Set<Int>) -> (shape: [Int], targets: [Int], groupSize: Int) {
        let kept = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let outStrides = Tensor.strides(kept).enumerated().map { reduced.contains($0.offset) ? 0 : $0.element }
        let targets = Tensor.offsets(walking: shape, strides: outStrides)
        let outShape = keepDims ? kept : shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let groupSize = reduced.reduce(1) { $0 * shape[$1] }
        return (outShape, targets, groupSize)
    }

    private func reduce<T: FloatElement>(_ x: [T], _ shape: [Int], _ reduced: Set<Int>) -> Tensor {
        let (outShape, targets, groupSize) = layout(shape, reduced)
        let outCount = outShape.reduce(1, *)
        var result: [T]
        switch operation {
        case .sum, .mean, .sumSquare, .l1, .l2:
            result = [T](repeating: 0, count: outCount)
            for (position, value) in x.enumerated() {
                let term: T =
                    switch operation {
                    case .sumSquare, .l2: value * value
                    case .l1: Swift.abs(value)
                    default: value
                    }
                result[targets[position]] += term
            }
            if operation == .mean { result = result.map { $0 / T(groupSize) } }
            if operation == .l2 { result = result.map { $0.squareRoot() } }
        case .prod:
            result = [T](repeating: 1, count: outCount)
            for (position, value) in x.enumerated() { result[targets[position]] *= value }
        case .max, .min, .logSumExp:
            let isMin = operation == .min
            result = [T](repeating: isMin ? T.highest : T.lowest, count: outCount)
            for (position, value) in x.enumerated() {
                let target = targets[position]
                if value.isNaN || (isMin ? value < result[target] : value > result[target]) { result[target] = value }
            }
            if operation == .logSumExp {
                var sums = [T](repeating: 0, count: outCount)
                for (position, value) in x.enumerated() {
                    let peak = result[targets[position]]
                    sums[targets[position]] += T.exp(peak.isFinite ? value - peak : value)
                }
                result = zip(result, sums).map { peak, sum in T.log(sum) + (peak.isFinite ? peak : 0) }
            }
        }
        return Tensor(shape: outShape, values: result)
    }

    private func reduceIntegers<T: NumericElement & FixedWidthInteger>(
        _ x: [T], _ shape: [Int], _ reduced: Set<Int>
    )
        throws(ONNXError) -> Tensor
    {
        let (outShape, targets, groupSize) = layout(shape, reduced)
        let outCount = outShape.reduce(1, *)
        var result: [T]
        switch operation {
        case .sum, .mean, .sumSquare, .l1:
            result = [T](repeating: 0, count: outCount)
            for (position, value) in x.enumerated() {
                let term: T =
                    switch operation {
                    case .sumSquare: value &* value
                    case .l1: value < 0 ? 0 &- value : value
                    default: value
                    }
                result[targets[position]] &+= term
            }
            if operation == .mean, groupSize > 0 { result = result.map { $0 / T(groupSize) } }
        case .prod:
            result = [T](repeating: 1, count: outCount)
            for (position, value) in x.enumerated() { result[targets[position]] &*= value }
        case .max, .min:
            result = [T](repeating: operation == .min ? T.max : T.min, count: outCount)
            for (position, value) in x.enumerated() {
                let target = targets[position]
                result[target] = operation == .min ? Swift.min(result[target], value) : Swift.max(result[target], value)
            }
        case .logSumExp, .l2:
            throw .invalidArgument("\(operation.rawValue) takes floating-point tensors")
        }
        return Tensor(shape: outShape, values: result)
    }
}
