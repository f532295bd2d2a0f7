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
                doubles[kept] = value == 0 ? 0 : value
                kept += 1
            }
            let finite = UnsafeMutableBufferPointer(rebasing: doubles[0..<kept])
            finite.withMemoryRebound(to: UInt64.self) { keys in
                // Values read from decimal text with a few digits are sorted as whole numbers of their smallest
                // unit: their keys span far fewer bits than a double's, so the radix sort makes fewer passes.
                if let decimals = DecimalKeys(finite) {
                    decimals.encode(finite)
                    RadixSort.sort(keys, maximum: decimals.maximumKey)
                    (values, counts) = Self.runs(keys, value: decimals.value(ofKey:))
                } else {
                    var maximum: UInt64 = 0
                    for index in 0..<kept {
                        keys[index] = Self.sortKey(finite[index])
                        maximum = max(maximum, keys[index])
                    }
                    RadixSort.sort(keys, maximum: maximum)
                    (values, counts) = Self.runs(keys, value: Self.value(ofKey:))
                }
            }
        }
        self.init(values: values, counts: counts)
    }

    /// The distinct values of sorted keys and how often each occurs.
    static func runs(
        _ keys: UnsafeMutableBufferPointer<UInt64>, value: (UInt64) -> Double
    ) -> (values: [Double], counts: [Int]) {
        var distinct = 0
        for index in keys.indices where index == 0 || keys[index] != keys[index - 1] { distinct += 1 }
        var filled = 0
        let counts = [Int](unsafeUninitializedCapacity: distinct) { counts, initialized in
            var index = 0
            while index < keys.count {
                let key = keys[index]
                var next = index + 1
                while next < keys.count && keys[next] == key { next += 1 }
                counts[filled] = next - index
                filled += 1
                index = next
            }
            initialized = distinct
        }
        let values = [Double](unsafeUninitializedCapacity: distinct) { values, initialized in
            var index = 0
            for slot in 0..<distinct {
                values[slot] = value(keys[index])
                index += counts[slot]
            }
            initialized = distinct
        }
        return (values, counts)
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

    /// The number of distinct values in two samples together, or `limit` once there are that many (a caller that
    /// only asks whether there are more than a few need not walk a million values).
    static func distinctCount(_ a: NumericDistribution, _ b: NumericDistribution, limit: Int = .max) -> Int {
        var i = 0
        var j = 0
        var count = 0
        while i < a.values.count && j < b.values.count && count < limit {
            let x = a.values[i]
            let y = b.values[j]
            if x <= y { i += 1 }
            if y <= x { j += 1 }
            count += 1
        }
        guard count < limit else { return limit }
        return min(limit, count + (a.values.count - i) + (b.values.count - j))
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
        quantiles([q])[0]
    }

    /// The quantiles `qs` (each as `quantile` gives it), found in one walk over the distribution.
    public func quantiles(_ qs: [Double]) -> [Double] {
        guard total > 0 else { return qs.map { _ in .nan } }
        let positions = qs.map { $0 * Double(total - 1) }
        var ranks: [Int] = []
        for position in positions {
            let lower = Int(position.rounded(.down))
            ranks += [lower, min(lower + 1, total - 1)]
        }
        let found = values(atRanks: ranks)
        return positions.indices.map { index in
            let low = found[2 * index]
            let fraction = positions[index] - positions[index].rounded(.down)
            guard fraction > 0 else { return low }
            return low + (found[2 * index + 1] - low) * fraction
        }
    }

    /// The value at each 0-based position of `ranks` in the sorted sample, in one walk.
    func values(atRanks ranks: [Int]) -> [Double] {
        var found = [Double](repeating: values.last ?? .nan, count: ranks.count)
        let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
        var next = 0
        var seen = 0
        for (value, count) in zip(values, counts) {
            seen += count
            while next < order.count && ranks[order[next]] < seen {
                found[order[next]] = value
                next += 1
            }
            if next == order.count { break }
        }
        return found
    }
}

/// Doubles that are all `m / 10^scale` for whole numbers `m` of at most 15 digits, as values read from decimal
/// text with a few digits are: such a value is keyed by `m` less the smallest `m`, which keeps the order and spans
/// only as many bits as the values' range in units of `10^-scale`. Every value is checked to come back exactly
/// from its key; a sample where one does not is sorted by its doubles' bits instead.
struct DecimalKeys {
    /// The largest scale tried: past it, keys save little over a double's bits.
    static let largestScale = 9
    let scale: Int
    let unit: Double
    let smallest: Int64
    let maximumKey: UInt64

    /// The keys for `values`, or nil when one of them is not a decimal of at most `largestScale` places.
    init?(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let first = values.first else { return nil }
        var scale = 0
        var unit = 1.0
        var low = first
        var high = first
        for value in values {
            while !Self.isWhole(value, unit: unit) {
                guard scale < Self.largestScale else { return nil }
                scale += 1
                unit *= 10
            }
            low = min(low, value)
            high = max(high, value)
        }
        let smallest = (low * unit).rounded()
        let largest = (high * unit).rounded()
        guard largest - smallest < 0x1p52 else { return nil }
        self.scale = scale
        self.unit = unit
        self.smallest = Int64(smallest)
        maximumKey = UInt64(Int64(largest) - Int64(smallest))
        // Each value must come back from its key, or the keys would not stand for the values.
        for value in values where self.value(ofKey: key(value)) != value { return nil }
    }

    /// Whether `value × unit` is a whole number below 2^51 from which one division gives `value` back.
    @inline(__always)
    static func isWhole(_ value: Double, unit: Double) -> Bool {
        let scaled = (value * unit).rounded()
        return abs(scaled) < 0x1p51 && scaled / unit == value
    }

    @inline(__always)
    func key(_ value: Double) -> UInt64 {
        UInt64(bitPattern: Int64((value * unit).rounded()) &- smallest)
    }

    @inline(__always)
    func value(ofKey key: UInt64) -> Double {
        Double(Int64(bitPattern: key) &+ smallest) / unit
    }

    /// Replaces each value with its key, in place.
    func encode(_ values: UnsafeMutableBufferPointer<Double>) {
        for index in values.indices { values[index] = Double(bitPattern: key(values[index])) }
    }
}

/// Radix sort of 64-bit keys. Keys of at most 40 significant bits (decimal keys) are split by their top 11 bits
/// into 2,048 buckets in one pass, and each bucket, small enough to stay in cache, is then sorted on its remaining
/// bits by 8-bit digits. Wider keys are sorted least-significant digit first, 11 bits per pass (2,048 buckets, whose
/// write positions stay in cache); only the digits below the largest key's highest bit are sorted, the histograms
/// of every pass are counted in one read, and a pass is skipped when every key has the same digit there.
enum RadixSort {
    static let bits = 11
    static let buckets = 1 << bits

    static func sort(_ keys: UnsafeMutableBufferPointer<UInt64>, maximum: UInt64 = .max) {
        let count = keys.count
        guard count > 256 else {
            var small = keys
            small.sort()
            return
        }
        let width = 64 - maximum.leadingZeroBitCount
        if width > 2 * bits, width <= 40, count >= 16 * buckets {
            splitThenSort(keys, width: width)
            return
        }
        let passes = max(1, (64 - maximum.leadingZeroBitCount + bits - 1) / bits)
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

    /// Splits keys below 2^`width` by their top 11 bits, then sorts each bucket on the bits below.
    static func splitThenSort(_ keys: UnsafeMutableBufferPointer<UInt64>, width: Int) {
        let shift = UInt64(width - bits)
        let other = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: keys.count)
        defer { other.deallocate() }
        var starts = [Int](repeating: 0, count: buckets + 1)
        starts.withUnsafeMutableBufferPointer { starts in
            for key in keys { starts[Int(key >> shift) + 1] += 1 }
            for index in 0..<buckets { starts[index + 1] += starts[index] }
            var next = Array(starts[0..<buckets])
            next.withUnsafeMutableBufferPointer { next in
                for key in keys {
                    let bucket = Int(key >> shift)
                    other[next[bucket]] = key
                    next[bucket] += 1
                }
            }
            for bucket in 0..<buckets where starts[bucket + 1] > starts[bucket] {
                let range = starts[bucket]..<starts[bucket + 1]
                let sorted = sortLowBits(
                    UnsafeMutableBufferPointer(rebasing: other[range]),
                    scratch: UnsafeMutableBufferPointer(rebasing: keys[range]), bits: Int(shift))
                if sorted.baseAddress != keys.baseAddress! + range.lowerBound {
                    _ = UnsafeMutableBufferPointer(rebasing: keys[range]).update(fromContentsOf: sorted)
                }
            }
        }
    }

    /// Sorts keys that differ only in their low `bits` bits, by 8-bit digits (or fewer, evenly), moving them between
    /// `keys` and `scratch`; returns whichever holds the result.
    static func sortLowBits(
        _ keys: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>, bits: Int
    ) -> UnsafeMutableBufferPointer<UInt64> {
        if keys.count <= 48 {
            for index in 1..<max(keys.count, 1) {
                let key = keys[index]
                var slot = index
                while slot > 0 && keys[slot - 1] > key {
                    keys[slot] = keys[slot - 1]
                    slot -= 1
                }
                keys[slot] = key
            }
            return keys
        }
        let passes = (bits + 7) / 8
        let digitBits = (bits + passes - 1) / passes
        let mask = UInt64(1 << digitBits - 1)
        var source = keys
        var target = scratch
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 1 << digitBits) { counts in
            for pass in 0..<passes {
                let shift = UInt64(pass * digitBits)
                counts.initialize(repeating: 0)
                for key in source { counts[Int((key >> shift) & mask)] += 1 }
                var offset = 0
                for index in counts.indices {
                    let size = counts[index]
                    counts[index] = offset
                    offset += size
                }
                for key in source {
                    let digit = Int((key >> shift) & mask)
                    target[counts[digit]] = key
                    counts[digit] += 1
                }
                swap(&source, &target)
            }
        }
        return source
    }
}
