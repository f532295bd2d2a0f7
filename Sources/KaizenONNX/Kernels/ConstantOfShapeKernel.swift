/// `ConstantOfShape`: a tensor of the given shape filled with one value (float 0 by default).
struct ConstantOfShapeKernel: Kernel {
    let value: Tensor

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let shape = try tensor(inputs, 0, "ConstantOfShape").integers("ConstantOfShape shape")
        guard shape.allSatisfy({ $0 >= 0 }), let count = Tensor.elementCount(shape), count <= 1 << 31 else {
            throw .invalidArgument("ConstantOfShape: invalid shape \(shape)")
        }
        return [.tensor(Tensor(unchecked: shape, value.storage.repeating(element: 0, count: count)))]
    }
}
