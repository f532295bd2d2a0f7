/// `Concat`: joins tensors of one type along an axis.
struct ConcatKernel: Kernel {
    let axis: Int

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        var parts: [Tensor] = []
        for index in inputs.indices { parts.append(try tensor(inputs, index, "Concat")) }
        guard let first = parts.first else { throw .invalidArgument("Concat needs at least one input") }
        let axis = try first.axis(self.axis, "Concat")
        for part in parts {
            guard part.elementType == first.elementType, part.rank == first.rank else {
                throw .invalidArgument("Concat: inputs must share type and rank, got \(first.shape) and \(part.shape)")
            }
            for dim in 0..<first.rank where dim != axis && part.shape[dim] != first.shape[dim] {
                throw .invalidArgument("Concat: shapes \(first.shape) and \(part.shape) differ off axis \(axis)")
            }
        }
        var shape = first.shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *)
        var ranges: [(part: Int, range: Range<Int>)] = []
        for row in 0..<outer {
            for (index, part) in parts.enumerated() {
                let width = part.shape[axis...].reduce(1, *)
                if width > 0 { ranges.append((index, (row * width)..<((row + 1) * width))) }
            }
        }
        let storage = Tensor.Storage.joining(parts.map(\.storage), ranges)
        return [.tensor(Tensor(unchecked: shape, storage))]
    }
}
