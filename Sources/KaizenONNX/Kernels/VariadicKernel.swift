/// `Sum`, `Max`, `Min`, `Mean`: an elementwise fold over any number of broadcast inputs.
struct VariadicKernel: Kernel {
    enum Operation: String, Sendable {
        case sum = "Sum"
        case max = "Max"
        case min = "Min"
        case mean = "Mean"
    }
    let operation: Operation

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        var tensors: [Tensor] = []
        for index in inputs.indices { tensors.append(try tensor(inputs, index, operation.rawValue)) }
        guard var result = tensors.first else {
            throw .invalidArgument("\(operation.rawValue) needs at least one input")
        }
        for next in tensors.dropFirst() { result = try fold(result, next) }
        if operation == .mean, tensors.count > 1 {
            let divisor = Double(tensors.count)
            switch result.storage {
            case .float(let v): result = Tensor(shape: result.shape, values: v.map { $0 / Float(divisor) })
            case .double(let v): result = Tensor(shape: result.shape, values: v.map { $0 / divisor })
            default: throw .invalidArgument("Mean takes floating-point tensors")
            }
        }
        return [.tensor(result)]
    }

    private func fold(_ a: Tensor, _ b: Tensor) throws(ONNXError) -> Tensor {
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)): return try combine(x, a.shape, y, b.shape)
        case (.double(let x), .double(let y)): return try combine(x, a.shape, y, b.shape)
        case (.int32(let x), .int32(let y)): return try combine(x, a.shape, y, b.shape)
        case (.int64(let x), .int64(let y)): return try combine(x, a.shape, y, b.shape)
        default:
            throw .invalidArgument("inputs must be numeric and of one type, got \(a.elementType) and \(b.elementType)")
        }
    }

    private func combine<T: NumericElement>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int]) throws(ONNXError) -> Tensor {
        let r: (values: [T], shape: [Int])
        switch operation {
        case .sum, .mean: r = try Broadcast.apply(x, xs, y, ys, T.wrappingSum)
        case .max: r = try Broadcast.apply(x, xs, y, ys) { p, q in (p != p || q != q) ? p + q : Swift.max(p, q) }
        case .min: r = try Broadcast.apply(x, xs, y, ys) { p, q in (p != p || q != q) ? p + q : Swift.min(p, q) }
        }
        return Tensor(shape: r.shape, values: r.values)
    }
}
