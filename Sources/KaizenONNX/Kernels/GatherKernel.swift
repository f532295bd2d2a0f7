/// `Gather`: picks slices along an axis by (possibly negative) indices.
struct GatherKernel: Kernel {
    let axis: Int

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Gather data")
        let indexTensor = try tensor(inputs, 1, "Gather indices")
        let indices = try indexTensor.integers("Gather indices")
        let axis = try data.axis(self.axis, "Gather")
        let size = data.shape[axis]
        let outer = data.shape[..<axis].reduce(1, *)
        let inner = data.shape[(axis + 1)...].reduce(1, *)
        var picks: [Int] = []
        picks.reserveCapacity(outer * indices.count * inner)
        for row in 0..<outer {
            for index in indices {
                let resolved = index < 0 ? index + size : index
                guard resolved >= 0, resolved < size else {
                    throw .runtime("Gather: index \(index) is out of range for axis \(axis) of size \(size)")
                }
                let start = (row * size + resolved) * inner
                for offset in 0..<inner { picks.append(start + offset) }
            }
        }
        let shape = Array(data.shape[..<axis]) + indexTensor.shape + Array(data.shape[(axis + 1)...])
        return [.tensor(Tensor(unchecked: shape, data.storage.picking(picks)))]
    }
}
