import KaizenCore

/// A nested JSON list read as a tensor: its shape and its leaves in row-major order.
struct NestedList {
    var shape: [Int]
    var leaves: [JSONValue]

    /// Reads `value`; every list at one depth must have the same length.
    init(_ value: JSONValue, name: String) throws(ServingError) {
        var shape: [Int] = []
        var probe = value
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        guard shape.count <= 8 else {
            throw ServingError.badRequest("Invalid input for \(name): lists nested \(shape.count) deep")
        }
        self.shape = shape
        self.leaves = []
        leaves.reserveCapacity(shape.reduce(1, *))
        try collect(value, depth: 0, name: name)
    }

    private mutating func collect(_ value: JSONValue, depth: Int, name: String) throws(ServingError) {
        if depth == shape.count {
            if case .array = value {
                throw ServingError.badRequest("Invalid input for \(name): the lists are not rectangular")
            }
            leaves.append(value)
            return
        }
        guard case .array(let items) = value, items.count == shape[depth] else {
            throw ServingError.badRequest(
                "Invalid input for \(name): the lists are not rectangular (expected \(shape[depth]) items at depth "
                    + "\(depth + 1))")
        }
        for item in items { try collect(item, depth: depth + 1, name: name) }
    }
}
