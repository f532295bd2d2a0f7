/// `Where(condition, X, Y)`: X's element where the condition holds, Y's elsewhere, all three broadcast together.
struct WhereKernel: Kernel {
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let condition = try tensor(inputs, 0, "Where")
        let x = try tensor(inputs, 1, "Where")
        let y = try tensor(inputs, 2, "Where")
        guard case .bool(let flags) = condition.storage else {
            throw .invalidArgument("Where's condition must be tensor(bool), got tensor(\(condition.elementType))")
        }
        guard x.elementType == y.elementType else {
            throw .invalidArgument("Where's X and Y must have the same type, got \(x.elementType) and \(y.elementType)")
        }
        func choose<T>(_ a: [T], _ b: [T]) throws(ONNXError) -> (values: [T], shape: [Int]) {
            let pairs = try Broadcast.apply(a, x.shape, b, y.shape) { ($0, $1) }
            return try Broadcast.apply(flags, condition.shape, pairs.values, pairs.shape) { $0 ? $1.0 : $1.1 }
        }
        let result: Tensor
        switch (x.storage, y.storage) {
        case (.float(let a), .float(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .float(values))
        case (.double(let a), .double(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .double(values))
        case (.int64(let a), .int64(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .int64(values))
        case (.int32(let a), .int32(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .int32(values))
        case (.bool(let a), .bool(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .bool(values))
        case (.string(let a), .string(let b)):
            let (values, shape) = try choose(a, b)
            result = Tensor(unchecked: shape, .string(values))
        default: throw .invalidArgument("Where does not take tensor(\(x.elementType))")
        }
        return [.tensor(result)]
    }
}
