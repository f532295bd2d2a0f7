import KaizenONNX

extension Tensor {
    /// A `[rows, columns.count]` tensor (or `shape`) whose column `j` is `columns[j]`; all columns share one type.
    static func interleaving(columns: [Tensor], shape: [Int]) throws(ScoringError) -> Tensor {
        guard let first = columns.first else {
            return try make(shape: shape, storage: .float([]))
        }
        if columns.count == 1 { return try make(shape: shape, storage: first.storage) }
        func weave<T>(_ extract: (Tensor) -> [T]?) -> [T] {
            let parts = columns.map { extract($0) ?? [] }
            let rows = parts[0].count
            var values = [T]()
            values.reserveCapacity(rows * parts.count)
            for row in 0..<rows {
                for part in parts { values.append(part[row]) }
            }
            return values
        }
        let storage: Storage
        switch first.storage {
        case .float: storage = .float(weave(\.floats))
        case .double: storage = .double(weave(\.doubles))
        case .int32: storage = .int32(weave(\.int32s))
        case .int64: storage = .int64(weave(\.int64s))
        case .bool: storage = .bool(weave(\.bools))
        case .string: storage = .string(weave(\.strings))
        }
        return try make(shape: shape, storage: storage)
    }

    /// The tensors stacked along their first dimension, or `nil` when their types or trailing dimensions differ.
    static func concatenatingRows(of tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first, first.rank >= 1 else { return nil }
        let tail = Array(first.shape.dropFirst())
        guard tensors.allSatisfy({ $0.elementType == first.elementType && Array($0.shape.dropFirst()) == tail }) else {
            return nil
        }
        let rows = tensors.reduce(0) { $0 + $1.shape[0] }
        func join<T>(_ extract: (Tensor) -> [T]?) -> [T] {
            var values = [T]()
            values.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
            for tensor in tensors { values.append(contentsOf: extract(tensor) ?? []) }
            return values
        }
        let storage: Storage
        switch first.storage {
        case .float: storage = .float(join(\.floats))
        case .double: storage = .double(join(\.doubles))
        case .int32: storage = .int32(join(\.int32s))
        case .int64: storage = .int64(join(\.int64s))
        case .bool: storage = .bool(join(\.bools))
        case .string: storage = .string(join(\.strings))
        }
        return try? Tensor(shape: [rows] + tail, storage: storage)
    }

    /// Rows `range` of the first dimension.
    func rows(_ range: Range<Int>) -> Tensor {
        let width = shape.dropFirst().reduce(1, *)
        let elements = (range.lowerBound * width)..<(range.upperBound * width)
        let storage: Storage
        switch self.storage {
        case .float(let values): storage = .float(Array(values[elements]))
        case .double(let values): storage = .double(Array(values[elements]))
        case .int32(let values): storage = .int32(Array(values[elements]))
        case .int64(let values): storage = .int64(Array(values[elements]))
        case .bool(let values): storage = .bool(Array(values[elements]))
        case .string(let values): storage = .string(Array(values[elements]))
        }
        // The shape matches the storage by construction.
        return (try? Tensor(shape: [range.count] + shape.dropFirst(), storage: storage)) ?? self
    }

    static func make(shape: [Int], storage: Storage) throws(ScoringError) -> Tensor {
        do { return try Tensor(shape: shape, storage: storage) } catch {
            throw ScoringError.badRequest("Invalid input: \(error.message)")
        }
    }
}

extension MapSequence {
    /// Maps `range`.
    func maps(_ range: Range<Int>) -> MapSequence {
        let width = keys.count
        return MapSequence(keys: keys, values: Array(values[(range.lowerBound * width)..<(range.upperBound * width)]))
    }

    /// The sequences joined, or `nil` when their keys differ.
    static func concatenating(_ sequences: [MapSequence]) -> MapSequence? {
        guard let first = sequences.first, sequences.allSatisfy({ $0.keys == first.keys }) else { return nil }
        return MapSequence(keys: first.keys, values: sequences.flatMap(\.values))
    }
}
