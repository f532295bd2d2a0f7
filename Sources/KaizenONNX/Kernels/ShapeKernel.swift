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
