/// Reductions computed in the order NumPy computes them, so that results agree with NannyML to the last bit.
///
/// NumPy sums a contiguous float64 array by pairwise summation: fewer than 8 values one after another, up to 128
/// values in 8 interleaved partial sums combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), and longer
/// runs split in two at a multiple of 8 below the middle. A naive loop agrees only to about 1e-16 relative.
package enum NumPyArithmetic {
    /// `np.sum` of a float64 array.
    package static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { 0.0 + pairwiseSum($0) }
    }

    /// `np.mean`: the pairwise sum divided by the count; NaN for no values.
    package static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : sum(values) / Double(values.count)
    }

    /// `np.var` with `ddof=0`: the mean of squared deviations from the mean, each step as NumPy orders it.
    package static func variance(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let count = Double(values.count)
        let mean = sum(values) / count
        let squares = values.map { ($0 - mean) * ($0 - mean) }
        return sum(squares) / count
    }

    /// `np.std` with `ddof=0`.
    package static func standardDeviation(_ values: [Double]) -> Double {
        variance(values).squareRoot()
    }

    /// `np.nanmean`: the mean of the values that are not NaN (NumPy sums them with NaNs replaced by zeros).
    package static func nanMean(_ values: [Double]) -> Double {
        let count = values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
        guard count > 0 else { return .nan }
        return sum(values.map { $0.isNaN ? 0 : $0 }) / Double(count)
    }

    /// `np.nanstd` with `ddof=0`, computed as NumPy's `_nanvar` does: deviations of NaN entries become zeros in
    /// place, so they keep their position in the pairwise sum.
    package static func nanStandardDeviation(_ values: [Double]) -> Double {
        let count = values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
        guard count > 0 else { return .nan }
        let mean = sum(values.map { $0.isNaN ? 0 : $0 }) / Double(count)
        let squares = values.map { $0.isNaN ? 0 : ($0 - mean) * ($0 - mean) }
        return (sum(squares) / Double(count)).squareRoot()
    }

    /// `np.round(value, decimals)` for a positive number of decimals: scale, round half to even, scale back.
    package static func round(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded(.toNearestOrEven) / scale
    }

    /// `np.trapezoid(y, x)` (what `sklearn.metrics.auc` computes for increasing x): Σ dx·(y₁ + y₀)/2, summed
    /// pairwise.
    package static func trapezoid(y: [Double], x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        var terms = [Double](repeating: 0, count: x.count - 1)
        for index in 0..<(x.count - 1) {
            terms[index] = (x[index + 1] - x[index]) * (y[index + 1] + y[index]) / 2.0
        }
        return sum(terms)
    }

    private static func pairwiseSum(_ values: UnsafeBufferPointer<Double>) -> Double {
        let count = values.count
        if count < 8 {
            var total = 0.0
            for value in values { total += value }
            return total
        }
        if count <= 128 {
            var partial = (values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7])
            var index = 8
            while index < count - count % 8 {
                partial.0 += values[index]
                partial.1 += values[index + 1]
                partial.2 += values[index + 2]
                partial.3 += values[index + 3]
                partial.4 += values[index + 4]
                partial.5 += values[index + 5]
                partial.6 += values[index + 6]
                partial.7 += values[index + 7]
                index += 8
            }
            var total =
                ((partial.0 + partial.1) + (partial.2 + partial.3))
                + ((partial.4 + partial.5) + (partial.6 + partial.7))
            while index < count {
                total += values[index]
                index += 1
            }
            return total
        }
        var half = count / 2
        half -= half % 8
        return pairwiseSum(UnsafeBufferPointer(rebasing: values[..<half]))
            + pairwiseSum(UnsafeBufferPointer(rebasing: values[half...]))
    }
}
