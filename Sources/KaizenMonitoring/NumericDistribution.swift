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
        var keys: [UInt64] = []
        keys.reserveCapacity(sample.count)
        for value in sample where value.isFinite {
            keys.append(Self.sortKey(value == 0 ? 0 : value))
        }
        RadixSort.sort(&keys)
        var values: [Double] = []
        var counts: [Int] = []
        var index = 0
        while index < keys.count {
            let key = keys[index]
            var next = index + 1
            while next < keys.count && keys[next] == key { next += 1 }
            values.append(Self.value(ofKey: key))
            counts.append(next - index)
            index = next
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

/// Least-significant-digit radix sort of 64-bit keys, 16 bits per pass; a pass is skipped when every key has the
/// same digit there (common in the high bits of doubles of one sign and scale).
enum RadixSort {
    static func sort(_ keys: inout [UInt64]) {
        let count = keys.count
        guard count > 64 else {
            keys.sort()
            return
        }
        var buffer = [UInt64](repeating: 0, count: count)
        var histogram = [Int](repeating: 0, count: 65536)
        var sourceIsKeys = true
        for shift in stride(from: 0, to: 64, by: 16) {
            let done: Bool = keys.withUnsafeMutableBufferPointer { keyBuffer in
                buffer.withUnsafeMutableBufferPointer { otherBuffer in
                    histogram.withUnsafeMutableBufferPointer { counts in
                        let source = sourceIsKeys ? keyBuffer : otherBuffer
                        let target = sourceIsKeys ? otherBuffer : keyBuffer
                        for index in 0..<65536 { counts[index] = 0 }
                        for key in source { counts[Int((key >> UInt64(shift)) & 0xFFFF)] += 1 }
                        let first = Int((source[0] >> UInt64(shift)) & 0xFFFF)
                        if counts[first] == count { return true }
                        var offset = 0
                        for index in 0..<65536 {
                            let size = counts[index]
                            counts[index] = offset
                            offset += size
                        }
                        for key in source {
                            let digit = Int((key >> UInt64(shift)) & 0xFFFF)
                            target[counts[digit]] = key
                            counts[digit] += 1
                        }
                        return false
                    }
                }
            }
            if !done { sourceIsKeys.toggle() }
        }
        if !sourceIsKeys { keys = buffer }
    }
}
