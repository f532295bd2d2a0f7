/// Numpy-style multidirectional broadcasting, as ONNX defines it for elementwise operators.
enum Broadcast {
    /// The shape two shapes broadcast to, or an error when a pair of dimensions is neither equal nor 1.
    static func shape(_ a: [Int], _ b: [Int]) throws(ONNXError) -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = axis - (rank - a.count) >= 0 ? a[axis - (rank - a.count)] : 1
            let y = axis - (rank - b.count) >= 0 ? b[axis - (rank - b.count)] : 1
            guard x == y || x == 1 || y == 1 else {
                throw .invalidArgument("shapes \(a) and \(b) cannot be broadcast together")
            }
            result[axis] = x == 1 ? y : x
        }
        return result
    }

    /// For each output element, the index of the element of a tensor of `shape` broadcast to `outShape`.
    static func indices(from shape: [Int], to outShape: [Int]) -> [Int] {
        let rank = outShape.count
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        let strides = Tensor.strides(padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        return Tensor.offsets(walking: outShape, strides: strides)
    }

    /// Applies `op` elementwise to two broadcast arrays.
    @inline(__always)
    static func apply<T, U, R>(
        _ a: [T], _ aShape: [Int], _ b: [U], _ bShape: [Int], _ op: (T, U) -> R
    ) throws(ONNXError) -> (values: [R], shape: [Int]) {
        if aShape == bShape {
            return (zip(a, b).map(op), aShape)
        }
        let outShape = try shape(aShape, bShape)
        let count = Tensor.elementCount(outShape) ?? 0
        if b.count == 1, a.count == count {
            let y = b[0]
            return (a.map { op($0, y) }, outShape)
        }
        if a.count == 1, b.count == count {
            let x = a[0]
            return (b.map { op(x, $0) }, outShape)
        }
        // b repeats along the leading axes (a bias row, for example).
        if a.count == count, b.count > 0, isSuffix(bShape, of: outShape) {
            let width = b.count
            let values = [R](unsafeUninitializedCapacity: count) { buffer, initialized in
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        var start = 0
                        while start < count {
                            for column in 0..<width { buffer[start + column] = op(a[start + column], b[column]) }
                            start += width
                        }
                    }
                }
                initialized = count
            }
            return (values, outShape)
        }
        // a is whole and b broadcasts row by row along the last axis: one of b's values per row (a mean, a
        // deviation) or one of its rows (an attention mask over heads and positions). b's row starts are found
        // once per row, not once per element.
        if a.count == count, let width = outShape.last, width > 0, outShape.count >= 1 {
            let padded = [Int](repeating: 1, count: outShape.count - bShape.count) + bShape
            let bWidth = padded[padded.count - 1]
            if bWidth == 1 || bWidth == width {
                let bStrides = Tensor.strides(padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
                let rowStarts = Tensor.offsets(walking: Array(outShape.dropLast()), strides: Array(bStrides.dropLast()))
                let values = [R](unsafeUninitializedCapacity: count) { buffer, initialized in
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            for (row, start) in rowStarts.enumerated() {
                                let base = row * width
                                if bWidth == 1 {
                                    let y = b[start]
                                    for column in 0..<width { buffer[base + column] = op(a[base + column], y) }
                                } else {
                                    for column in 0..<width {
                                        buffer[base + column] = op(a[base + column], b[start + column])
                                    }
                                }
                            }
                        }
                    }
                    initialized = count
                }
                return (values, outShape)
            }
        }
        let aIndex = indices(from: aShape, to: outShape)
        let bIndex = indices(from: bShape, to: outShape)
        var values: [R] = []
        values.reserveCapacity(count)
        for position in 0..<count { values.append(op(a[aIndex[position]], b[bIndex[position]])) }
        return (values, outShape)
    }

    /// Whether `shape` equals the trailing dimensions of `outShape` (ignoring leading 1s of `shape`).
    static func isSuffix(_ shape: [Int], of outShape: [Int]) -> Bool {
        var trimmed = shape[...]
        while trimmed.first == 1 { trimmed = trimmed.dropFirst() }
        guard trimmed.count <= outShape.count else { return false }
        return Array(outShape.suffix(trimmed.count)) == Array(trimmed)
    }
}
