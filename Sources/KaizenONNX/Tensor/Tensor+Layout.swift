extension Tensor.Storage {
    /// The elements at `indices`, in that order.
    func picking(_ indices: [Int]) -> Tensor.Storage {
        switch self {
        case .float(let v): .float(indices.map { v[$0] })
        case .double(let v): .double(indices.map { v[$0] })
        case .int32(let v): .int32(indices.map { v[$0] })
        case .int64(let v): .int64(indices.map { v[$0] })
        case .bool(let v): .bool(indices.map { v[$0] })
        case .string(let v): .string(indices.map { v[$0] })
        }
    }

    /// The runs of `length` elements starting at each of `starts`, one after another.
    func pickingRuns(_ starts: [Int], length: Int) -> Tensor.Storage {
        func runs<T>(_ values: [T]) -> [T] {
            var result: [T] = []
            result.reserveCapacity(starts.count * length)
            for start in starts { result.append(contentsOf: values[start..<start + length]) }
            return result
        }
        switch self {
        case .float(let v): return .float(runs(v))
        case .double(let v): return .double(runs(v))
        case .int32(let v): return .int32(runs(v))
        case .int64(let v): return .int64(runs(v))
        case .bool(let v): return .bool(runs(v))
        case .string(let v): return .string(runs(v))
        }
    }

    /// Storage of the same type joined from several storages, taking `ranges[i]` from `parts[ranges[i].part]`.
    static func joining(_ parts: [Tensor.Storage], _ ranges: [(part: Int, range: Range<Int>)]) -> Tensor.Storage {
        func join<T>(_ arrays: [[T]]) -> [T] {
            var result: [T] = []
            result.reserveCapacity(ranges.reduce(0) { $0 + $1.range.count })
            for (part, range) in ranges { result.append(contentsOf: arrays[part][range]) }
            return result
        }
        switch parts[0] {
        case .float: return .float(join(parts.map { if case .float(let v) = $0 { v } else { [] } }))
        case .double: return .double(join(parts.map { if case .double(let v) = $0 { v } else { [] } }))
        case .int32: return .int32(join(parts.map { if case .int32(let v) = $0 { v } else { [] } }))
        case .int64: return .int64(join(parts.map { if case .int64(let v) = $0 { v } else { [] } }))
        case .bool: return .bool(join(parts.map { if case .bool(let v) = $0 { v } else { [] } }))
        case .string: return .string(join(parts.map { if case .string(let v) = $0 { v } else { [] } }))
        }
    }

    /// `count` copies of one element of this storage's type.
    func repeating(element index: Int, count: Int) -> Tensor.Storage {
        switch self {
        case .float(let v): .float(.init(repeating: v[index], count: count))
        case .double(let v): .double(.init(repeating: v[index], count: count))
        case .int32(let v): .int32(.init(repeating: v[index], count: count))
        case .int64(let v): .int64(.init(repeating: v[index], count: count))
        case .bool(let v): .bool(.init(repeating: v[index], count: count))
        case .string(let v): .string(.init(repeating: v[index], count: count))
        }
    }
}

extension Tensor {
    /// For each position of `shape` in row-major order, the sum of its coordinates times `strides`: the element
    /// offsets that a transpose, a broadcast (stride 0 on repeated axes) or a reduction (stride 0 on reduced axes)
    /// reads or writes.
    static func offsets(walking shape: [Int], strides: [Int]) -> [Int] {
        let count = Tensor.elementCount(shape) ?? 0
        var result = [Int](repeating: 0, count: count)
        var counter = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for position in 0..<count {
            result[position] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                counter[axis] += 1
                offset += strides[axis]
                if counter[axis] < shape[axis] { break }
                offset -= strides[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The tensor with its axes permuted: output axis `i` is input axis `permutation[i]`.
    func transposed(_ permutation: [Int]) -> Tensor {
        let outShape = permutation.map { shape[$0] }
        if count <= 1 || permutation == Array(0..<rank) { return reshaped(outShape) }
        let inStrides = Tensor.strides(shape)
        let strides = permutation.map { inStrides[$0] }
        // The last axis stays last (an encoder's heads split or merged): whole runs of it are copied.
        if permutation.last == rank - 1, let run = shape.last, run > 1 {
            let starts = Tensor.offsets(walking: Array(outShape.dropLast()), strides: Array(strides.dropLast()))
            return Tensor(unchecked: outShape, storage.pickingRuns(starts, length: run))
        }
        return Tensor(unchecked: outShape, storage.picking(Tensor.offsets(walking: outShape, strides: strides)))
    }

    /// An axis attribute resolved against this tensor's rank (negative counts from the end).
    func axis(_ axis: Int, _ what: @autoclosure () -> String, rankPlusOne: Bool = false) throws(ONNXError) -> Int {
        let limit = rank + (rankPlusOne ? 1 : 0)
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < max(limit, 1) else {
            throw .invalidArgument("\(what()): axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }
}
