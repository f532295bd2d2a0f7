/// `Expand`: the input broadcast (both ways, as numpy does) with the shape given as the second input.
struct ExpandKernel: Kernel {
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let input = try tensor(inputs, 0, "Expand input")
        let target = try tensor(inputs, 1, "Expand shape").integers("Expand shape")
        guard target.allSatisfy({ $0 >= 0 }) else { throw .invalidArgument("Expand: a shape cannot be negative") }
        let shape = try Broadcast.shape(input.shape, target)
        guard let count = Tensor.elementCount(shape), count <= 1 << 31 else {
            throw .invalidArgument("Expand: the shape \(shape) holds too many elements")
        }
        if shape == input.shape { return [.tensor(input)] }
        return [
            .tensor(Tensor(unchecked: shape, input.storage.picking(Broadcast.indices(from: input.shape, to: shape))))
        ]
    }
}
