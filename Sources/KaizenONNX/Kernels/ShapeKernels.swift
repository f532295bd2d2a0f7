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

/// `Flatten`: a 2-D view, the axes before `axis` as rows.
struct FlattenKernel: Kernel {
    let axis: Int

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Flatten")
        let split = try data.axis(axis, "Flatten", rankPlusOne: true)
        let rows = data.shape[..<split].reduce(1, *)
        return [.tensor(data.reshaped([rows, rows == 0 ? 0 : data.shape[split...].reduce(1, *)]))]
    }
}

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

/// `Transpose`: permutes axes (reverses them when `perm` is absent).
struct TransposeKernel: Kernel {
    let permutation: [Int]?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Transpose")
        let perm = permutation ?? Array((0..<data.rank).reversed())
        guard perm.count == data.rank, Set(perm) == Set(0..<data.rank) else {
            throw .invalidArgument("Transpose: perm \(perm) is not a permutation of \(data.rank) axes")
        }
        return [.tensor(data.transposed(perm))]
    }
}

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

/// `Shape`: the input's shape as int64, optionally sliced by `start` and `end`.
struct ShapeKernel: Kernel {
    let start: Int
    let end: Int?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Shape")
        let rank = data.rank
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let lower = clamp(start)
        let upper = max(lower, clamp(end ?? rank))
        let dims = data.shape[lower..<upper].map { Int64($0) }
        return [.tensor(Tensor(shape: [dims.count], values: dims))]
    }
}

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

/// `Constant`: a value fixed in the model.
struct ConstantKernel: Kernel {
    let value: Tensor

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] { [.tensor(value)] }
}
