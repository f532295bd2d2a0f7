/// `Reshape`: the same elements under a new shape (0 copies a dimension unless `allowzero`, -1 is inferred).
struct ReshapeKernel: Kernel {
    let allowZero: Bool

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Reshape data")
        let requested = try tensor(inputs, 1, "Reshape shape").integers("Reshape shape")
        var shape: [Int] = []
        var inferred: Int?
        for (axis, dim) in requested.enumerated() {
            switch dim {
            case -1:
                guard inferred == nil else { throw .invalidArgument("Reshape: more than one -1 in shape \(requested)") }
                inferred = axis
                shape.append(1)
            case 0 where !allowZero:
                guard axis < data.rank else {
                    throw .invalidArgument("Reshape: 0 at axis \(axis) has no input dimension")
                }
                shape.append(data.shape[axis])
            case let size where size >= 0: shape.append(size)
            default: throw .invalidArgument("Reshape: invalid dimension \(dim) in shape \(requested)")
            }
        }
        if let inferred {
            let known = shape.reduce(1, *)
            guard known > 0, data.count % known == 0 else {
                throw .invalidArgument("Reshape: cannot reshape \(data.shape) to \(requested)")
            }
            shape[inferred] = data.count / known
        }
        guard Tensor.elementCount(shape) == data.count else {
            throw .invalidArgument("Reshape: cannot reshape \(data.shape) (\(data.count) elements) to \(requested)")
        }
        return [.tensor(data.reshaped(shape))]
    }
}
