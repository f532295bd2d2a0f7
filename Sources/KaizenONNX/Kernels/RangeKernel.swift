/// `Range`: `start`, `start + delta`, ... while before `limit`; all three scalars of one type.
struct RangeKernel: Kernel {
    /// The most elements a range may have.
    static let maximumCount = 1 << 31

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let start = try tensor(inputs, 0, "Range start")
        let limit = try tensor(inputs, 1, "Range limit")
        let delta = try tensor(inputs, 2, "Range delta")
        guard start.count == 1, limit.count == 1, delta.count == 1 else {
            throw .invalidArgument("Range: start, limit and delta must be scalars")
        }
        switch (start.storage, limit.storage, delta.storage) {
        case (.float(let a), .float(let b), .float(let d)): return [.tensor(try floating(a[0], b[0], d[0]))]
        case (.double(let a), .double(let b), .double(let d)): return [.tensor(try floating(a[0], b[0], d[0]))]
        case (.int32(let a), .int32(let b), .int32(let d)): return [.tensor(try integer(a[0], b[0], d[0]))]
        case (.int64(let a), .int64(let b), .int64(let d)): return [.tensor(try integer(a[0], b[0], d[0]))]
        default:
            throw .invalidArgument(
                "Range takes three scalars of one type (float, double, int32 or int64), got \(start.elementType), "
                    + "\(limit.elementType) and \(delta.elementType)")
        }
    }

    private func floating<T: FloatElement>(_ start: T, _ limit: T, _ delta: T) throws(ONNXError) -> Tensor {
        guard delta != 0, delta.isFinite, start.isFinite, limit.isFinite else {
            throw .invalidArgument("Range: delta must be non-zero and the bounds finite")
        }
        let steps = ((limit - start) / delta).rounded(.up)
        guard steps < T(Self.maximumCount) else { throw .invalidArgument("Range: too many elements") }
        let count = max(Int(steps), 0)
        return Tensor(shape: [count], values: (0..<count).map { start + T($0) * delta })
    }

    private func integer<T: NumericElement & FixedWidthInteger & SignedInteger>(
        _ start: T, _ limit: T, _ delta: T
    ) throws(ONNXError) -> Tensor {
        guard delta != 0 else { throw .invalidArgument("Range: delta must be non-zero") }
        let span = Int64(limit) - Int64(start)
        let step = Int64(delta)
        var count = span / step
        if span % step != 0 { count += 1 }
        count = max(count, 0)
        guard count <= Int64(Self.maximumCount) else { throw .invalidArgument("Range: too many elements") }
        return Tensor(
            shape: [Int(count)], values: (0..<Int(count)).map { T(truncatingIfNeeded: Int64(start) + Int64($0) * step) }
        )
    }
}
