/// A numeric sample as its distinct values in ascending order, each with how often it occurs.
///
/// This is the whole sample, not an estimate: every drift statistic on numbers (Kolmogorov–Smirnov, Wasserstein,
/// histograms, quantiles, counts of distinct values) is computed from it exactly, and it is usually far smaller
/// than the sample (a column of rounded values, or a profile stored for reuse).
public struct NumericDistribution: Sendable, Equatable {
    /// The distinct values, ascending.
    public var values: [Double]
    /// How many times each value occurs.
    public var counts: [Int]
    /// The number of values in the sample.
    public var total: Int

    public init(values: [Double], counts: [Int]) {
        self.values = values
        self.counts = counts
        total = counts.reduce(0, +)
    }

    /// The distribution of the finite values in `sample` (NaN and infinities are left out, as drift methods
    /// leave them out).
    public init(sample: some Collection<Double>) {
        self.init(sorting: Array(sample))
    }

    /// The distribution of the finite values in `sample`, sorted in the sample's own storage (no copy when the
    /// caller hands over its only reference).
    public init(sorting sample: consuming [Double]) {
        var values: [Double] = []
        var counts: [Int] = []
        sample.withUnsafeMutableBufferPointer { doubles in
            var kept = 0
            for value in doubles where value.isFinite {
                // The key's bits in the double's place; -0.0 and 0.0 are one value.
                doubles[kept] = Double(bitPattern: Self.sortKey(value == 0 ? 0 : value))
                kept += 1
            }
            doubles.withMemoryRebound(to: UInt64.self) { all in
                let keys = UnsafeMutableBufferPointer(rebasing: all[0..<kept])
                RadixSort.sort(keys)
                var index = 0
                while index < kept {
                    let key = keys[index]
                    var next = index + 1
                    while next < kept && keys[next] == key { next += 1 }
                    values.append(Self.value(ofKey: key))
                    counts.append(next - index)
                    index = next
                }
            }
        }
        self.init(values: values, counts: counts)
    }

    /// An unsigned key that sorts as the double does.
    static func sortKey(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    static func value(ofKey key: UInt64) -> Double {
        Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
    }

    /// The number of distinct values.
    public var distinctCount: Int { values.count }

    /// The number of distinct values in two samples together.
    static func distinctCount(_ a: NumericDistribution, _ b: NumericDistribution) -> Int {
        var i = 0
        var j = 0
        var count = 0
        while i < a.values.count && j < b.values.count {
            let x = a.values[i]
            let y = b.values[j]
            if x <= y { i += 1 }
            if y <= x { j += 1 }
            count += 1
        }
        return count + (a.values.count - i) + (b.values.count - j)
    }

    public var minimum: Double? { values.first }
    public var maximum: Double? { values.last }

    /// The mean.
    public var mean: Double {
        guard total > 0 else { return .nan }
        var sum = 0.0
        for (value, count) in zip(values, counts) { sum += value * Double(count) }
        return sum / Double(total)
    }

    /// The population standard deviation (NumPy's `std` with `ddof=0`).
    public var standardDeviation: Double {
        guard total > 0 else { return .nan }
        let mean = mean
        var sum = 0.0
        for (value, count) in zip(values, counts) {
            let deviation = value - mean
            sum += deviation * deviation * Double(count)
        }
        return (sum / Double(total)).squareRoot()
    }

    /// The sample in ascending order, each value repeated as often as it occurs.
    public var sortedSample: [Double] {
        var sample: [Double] = []
        sample.reserveCapacity(total)
        for (value, count) in zip(values, counts) {
            sample.append(contentsOf: repeatElement(value, count: count))
        }
        return sample
    }

    /// The `q` quantile with linear interpolation between order statistics (NumPy's default method).
    public func quantile(_ q: Double) -> Double {
        guard total > 0 else { return .nan }
        let position = q * Double(total - 1)
        let lower = Int(position.rounded(.down))
        let fraction = position - Double(lower)
        let low = value(atRank: lower)
        guard fraction > 0, lower + 1 < total else { return low }
        let high = value(atRank: lower + 1)
        return low + (high - low) * fraction
    }

    /// The value at 0-based position `rank` of the sorted sample.
    func value(atRank rank: Int) -> Double {
        var seen = 0
        for (value, count) in zip(values, counts) {
            seen += count
            if rank < seen { return value }
        }
        return values.last ?? .nan
    }
}

/// Least-significant-digit radix sort of 64-bit keys, 11 bits per pass (2,048 buckets, whose write positions stay
/// in cache); the histograms of every pass are counted in one read, and a pass is skipped when every key has the
/// same digit there (common in the high bits of doubles of one sign and scale).
enum RadixSort {
    static let bits = 11
    static let buckets = 1 << bits
    static let passes = (64 + bits - 1) / bits

    static func sort(_ keys: UnsafeMutableBufferPointer<UInt64>) {
        let count = keys.count
        guard count > 256 else {
            var small = keys
            small.sort()
            return
        }
        var histograms = [Int](repeating: 0, count: buckets * passes)
        do {
            let source = UnsafeBufferPointer(keys)
            histograms.withUnsafeMutableBufferPointer { counts in
                for key in source {
                    var rest = key
                    for pass in 0..<passes {
                        counts[pass * buckets + Int(rest & UInt64(buckets - 1))] += 1
                        rest >>= UInt64(bits)
                    }
                }
            }
        }
        let otherBuffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count)
        defer { otherBuffer.deallocate() }
        let keyBuffer = keys
        var sourceIsKeys = true
        for pass in 0..<passes {
            let shift = UInt64(pass * bits)
            let skipped: Bool = histograms.withUnsafeMutableBufferPointer { all in
                let counts = UnsafeMutableBufferPointer(
                    rebasing: all[(pass * buckets)..<((pass + 1) * buckets)])
                let source = sourceIsKeys ? keyBuffer : otherBuffer
                let target = sourceIsKeys ? otherBuffer : keyBuffer
                if counts[Int((source[0] >> shift) & UInt64(buckets - 1))] == count { return true }
                var offset = 0
                for index in 0..<buckets {
                    let size = counts[index]
                    counts[index] = offset
                    offset += size
                }
                for key in source {
                    let digit = Int((key >> shift) & UInt64(buckets - 1))
                    target[counts[digit]] = key
                    counts[digit] += 1
                }
                return false
            }
            if !skipped { sourceIsKeys.toggle() }
        }
        if !sourceIsKeys { _ = keys.update(fromContentsOf: otherBuffer) }
    }
}
