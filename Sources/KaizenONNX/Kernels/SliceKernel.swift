/// `Slice`: for each chosen axis, the elements from `start` toward `end` (exclusive) by `step`, with negative
/// positions counted from the end and bounds clamped as the specification says. Starts, ends, axes and steps come
/// from inputs from opset 10 and from attributes before.
struct SliceKernel: Kernel {
    /// Opsets 1 to 9: the bounds as attributes.
    let attributes: (starts: [Int], ends: [Int], axes: [Int]?)?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Slice data")
        let starts: [Int]
        let ends: [Int]
        var axes: [Int]?
        var steps: [Int]?
        if let attributes {
            (starts, ends, axes) = attributes
        } else {
            starts = try tensor(inputs, 1, "Slice starts").integers("Slice starts")
            ends = try tensor(inputs, 2, "Slice ends").integers("Slice ends")
            axes = try optionalTensor(inputs, 3, "Slice axes")?.integers("Slice axes")
            steps = try optionalTensor(inputs, 4, "Slice steps")?.integers("Slice steps")
        }
        let chosen = axes ?? Array(0..<starts.count)
        guard starts.count == ends.count, chosen.count == starts.count, steps.map({ $0.count == starts.count }) ?? true
        else {
            throw .invalidArgument("Slice: starts, ends, axes and steps must have the same length")
        }
        var first = [Int](repeating: 0, count: data.rank)
        var step = [Int](repeating: 1, count: data.rank)
        var shape = data.shape
        var seen = Set<Int>()
        for index in chosen.indices {
            let axis = try data.axis(chosen[index], "Slice")
            guard seen.insert(axis).inserted else { throw .invalidArgument("Slice: axis \(chosen[index]) is repeated") }
            let dimension = data.shape[axis]
            let stride = steps?[index] ?? 1
            guard stride != 0 else { throw .invalidArgument("Slice: a step cannot be 0") }
            var start = starts[index]
            var end = ends[index]
            if start < 0 { start = start < -dimension ? -dimension - 1 : start + dimension }
            if end < 0 { end = end < -dimension ? -dimension - 1 : end + dimension }
            if stride > 0 {
                start = min(max(start, 0), dimension)
                end = min(max(end, 0), dimension)
                shape[axis] = end > start ? Int(UInt(end - start - 1) / stride.magnitude) + 1 : 0
            } else {
                start = min(max(start, 0), dimension - 1)
                end = min(max(end, -1), dimension - 1)
                shape[axis] = start > end ? Int(UInt(start - end - 1) / stride.magnitude) + 1 : 0
            }
            first[axis] = start
            step[axis] = stride
        }
        let strides = Tensor.strides(data.shape)
        let base = zip(first, strides).reduce(0) { $0 + $1.0 * $1.1 }
        // A step only matters on an axis of two elements or more, where it times the stride stays in the tensor;
        // elsewhere (a huge step, one element) the product may wrap unused.
        let walk = zip(strides, step).map { $0 &* $1 }
        let offsets = Tensor.offsets(walking: shape, strides: walk).map { $0 + base }
        return [.tensor(Tensor(unchecked: shape, data.storage.picking(offsets)))]
    }
}
