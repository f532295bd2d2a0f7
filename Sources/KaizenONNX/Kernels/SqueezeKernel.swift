/// `Squeeze` and `Unsqueeze` (axes from the attribute before opset 13, from the second input after).
struct SqueezeKernel: Kernel {
    let unsqueeze: Bool
    let attributeAxes: [Int]?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let name = unsqueeze ? "Unsqueeze" : "Squeeze"
        let data = try tensor(inputs, 0, name)
        var axes = attributeAxes
        if axes == nil, let given = try optionalTensor(inputs, 1, "\(name) axes") {
            axes = try given.integers("\(name) axes")
        }
        if unsqueeze {
            guard let axes else { throw .invalidArgument("Unsqueeze needs axes") }
            let rank = data.rank + axes.count
            var resolved = Set<Int>()
            for axis in axes {
                let r = axis < 0 ? axis + rank : axis
                guard r >= 0, r < rank else { throw .invalidArgument("Unsqueeze: axis \(axis) is out of range") }
                resolved.insert(r)
            }
            guard resolved.count == axes.count else { throw .invalidArgument("Unsqueeze: repeated axis in \(axes)") }
            var shape: [Int] = []
            var source = data.shape.makeIterator()
            for axis in 0..<rank { shape.append(resolved.contains(axis) ? 1 : source.next() ?? 1) }
            return [.tensor(data.reshaped(shape))]
        }
        var resolved = Set<Int>()
        for axis in axes ?? data.shape.indices.filter({ data.shape[$0] == 1 }) {
            let r = try data.axis(axis, "Squeeze")
            guard data.shape[r] == 1 else {
                throw .invalidArgument("Squeeze: axis \(axis) has size \(data.shape[r]), not 1")
            }
            resolved.insert(r)
        }
        let shape = data.shape.indices.filter { !resolved.contains($0) }.map { data.shape[$0] }
        return [.tensor(data.reshaped(shape))]
    }
}
