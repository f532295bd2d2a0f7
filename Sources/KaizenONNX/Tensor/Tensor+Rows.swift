// Row slicing and stacking along the first dimension, shared with the serving module (micro-batching splits and
// stacks requests by row; DataFrame columns become one matrix).

extension Tensor {
    /// Rows `range` of the first dimension.
    package func rows(_ range: Range<Int>) -> Tensor {
        let width = shape.dropFirst().reduce(1, *)
        let elements = (range.lowerBound * width)..<(range.upperBound * width)
        return Tensor(unchecked: [range.count] + shape.dropFirst(), .joining([storage], [(0, elements)]))
    }

    /// The tensors stacked along their first dimension, or `nil` when there are none, one is a scalar, or their
    /// element types or trailing dimensions differ.
    package static func concatenatingRows(of tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first, first.rank >= 1 else { return nil }
        let tail = Array(first.shape.dropFirst())
        guard tensors.allSatisfy({ $0.elementType == first.elementType && Array($0.shape.dropFirst()) == tail }) else {
            return nil
        }
        let rows = tensors.reduce(0) { $0 + $1.shape[0] }
        let storage = Storage.joining(tensors.map(\.storage), tensors.indices.map { ($0, 0..<tensors[$0].count) })
        return Tensor(unchecked: [rows] + tail, storage)
    }

    /// Equal-length one-dimensional columns of one element type side by side: a `[rows, columns.count]` tensor
    /// whose column `j` is `columns[j]`, reshaped to `shape`; `nil` when the columns do not fit together or `shape`.
    package static func interleaving(columns: [Tensor], shape: [Int]) -> Tensor? {
        guard let first = columns.first else {
            return elementCount(shape) == 0 ? Tensor(unchecked: shape, .float([])) : nil
        }
        guard columns.allSatisfy({ $0.rank == 1 && $0.count == first.count }),
            let stacked = concatenatingRows(of: columns), elementCount(shape) == stacked.count
        else { return nil }
        return stacked.reshaped([columns.count, first.count]).transposed([1, 0]).reshaped(shape)
    }
}

extension MapSequence {
    /// Maps `range`.
    package func maps(_ range: Range<Int>) -> MapSequence {
        let width = keys.count
        return MapSequence(keys: keys, values: Array(values[(range.lowerBound * width)..<(range.upperBound * width)]))
    }
}
