#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The drift scores, each computed as the reference implementation computes it (Evidently over SciPy and NumPy),
/// from whole distributions rather than rows.
enum DriftStatistics {
    /// The first Wasserstein distance between the samples, divided by the reference's standard deviation (at
    /// least 0.001).
    static func normedWasserstein(_ reference: NumericDistribution, _ current: NumericDistribution) -> Double {
        wasserstein(reference, current) / max(reference.standardDeviation, 0.001)
    }

    /// ∫ |F_reference − F_current|: the two empirical distribution functions walked together over every value
    /// either sample has.
    static func wasserstein(_ reference: NumericDistribution, _ current: NumericDistribution) -> Double {
        let (a, b) = (reference, current)
        let totalA = Double(a.total)
        let totalB = Double(b.total)
        var i = 0
        var j = 0
        var cumulativeA = 0
        var cumulativeB = 0
        var distance = 0.0
        var previous: Double? = nil
        var gap = 0.0
        while i < a.values.count || j < b.values.count {
            let x: Double
            if j >= b.values.count || (i < a.values.count && a.values[i] <= b.values[j]) {
                x = a.values[i]
            } else {
                x = b.values[j]
            }
            if let previous { distance += gap * (x - previous) }
            while i < a.values.count && a.values[i] == x {
                cumulativeA += a.counts[i]
                i += 1
            }
            while j < b.values.count && b.values[j] == x {
                cumulativeB += b.counts[j]
                j += 1
            }
            gap = abs(Double(cumulativeA) / totalA - Double(cumulativeB) / totalB)
            previous = x
        }
        return distance
    }

    /// Pearson's chi-square test of the current counts against counts expected from the reference's proportions
    /// (`scipy.stats.chisquare`); the p-value.
    static func chiSquare(_ reference: CategoryCounts, _ current: CategoryCounts) -> Double {
        let (_, referenceCounts, currentCounts) = CategoryCounts.aligned(reference, current)
        let scale = Double(current.total) / Double(reference.total)
        var statistic = 0.0
        for (expectedCount, observed) in zip(referenceCounts, currentCounts) {
            let expected = expectedCount * scale
            let difference = observed - expected
            statistic += difference * difference / expected
        }
        return SpecialFunctions.chiSquareSurvival(statistic, degreesOfFreedom: Double(referenceCounts.count - 1))
    }

    /// The two-sided two-proportion Z-test on the share of values other than the first category, with the pooled
    /// proportion: `2 (1 − Φ(|z|))`. 1 when both samples hold the same single value.
    static func zTest(_ reference: CategoryCounts, _ current: CategoryCounts) -> Double {
        if reference.counts.count == 1, current.counts.count == 1,
            reference.counts.keys.first == current.counts.keys.first
        {
            return 1
        }
        let (keys, referenceCounts, currentCounts) = CategoryCounts.aligned(reference, current)
        guard !keys.isEmpty else { return 1 }
        let n1 = Double(reference.total)
        let n2 = Double(current.total)
        let p1 = (n1 - referenceCounts[0]) / n1
        let p2 = (n2 - currentCounts[0]) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return 2 * (1 - SpecialFunctions.normalCDF(abs(z)))
    }

    /// Jensen–Shannon distance with natural logarithms (`scipy.spatial.distance.jensenshannon`).
    static func jensenShannon(_ reference: [Double], _ current: [Double]) -> Double {
        let p = normalized(reference)
        let q = normalized(current)
        var left = 0.0
        var right = 0.0
        for (a, b) in zip(p, q) {
            let m = (a + b) / 2
            left += relativeEntropy(a, m)
            right += relativeEntropy(b, m)
        }
        return ((left + right) / 2).squareRoot()
    }

    /// Population stability index over shares with empty cells filled: Σ (r − c) ln(r ÷ c).
    static func populationStability(_ reference: [Double], _ current: [Double]) -> Double {
        var value = 0.0
        for (r, c) in zip(reference, current) { value += (r - c) * log(r / c) }
        return value
    }

    /// Kullback–Leibler divergence of the reference from the current shares (`scipy.stats.entropy`).
    static func kullbackLeibler(_ reference: [Double], _ current: [Double]) -> Double {
        let p = normalized(reference)
        let q = normalized(current)
        var value = 0.0
        for (a, b) in zip(p, q) { value += relativeEntropy(a, b) }
        return value
    }

    /// Hellinger distance between the category shares.
    static func hellinger(_ reference: CategoryCounts, _ current: CategoryCounts) -> Double {
        let (_, referenceCounts, currentCounts) = CategoryCounts.aligned(reference, current)
        var overlap = 0.0
        for (r, c) in zip(referenceCounts, currentCounts) {
            overlap += (r / Double(reference.total) * (c / Double(current.total))).squareRoot()
        }
        return (1 - min(max(overlap, 0), 1)).squareRoot()
    }

    /// Hellinger distance between density histograms on Sturges bins over the distinct values of both samples.
    static func hellinger(_ reference: NumericDistribution, _ current: NumericDistribution, integral: Bool) -> Double {
        // The distinct values of both samples: their extremes and their number, from the sorted distributions.
        let bins = HistogramBins(
            sturgesFrom: min(reference.minimum ?? 0, current.minimum ?? 0),
            to: max(reference.maximum ?? 0, current.maximum ?? 0),
            size: NumericDistribution.distinctCount(reference, current), integral: integral)
        let h1 = bins.densities(reference)
        let h2 = bins.densities(current)
        let width = (bins.last - bins.first) / Double(bins.count)
        var overlap = 0.0
        for (a, b) in zip(h1, h2) { overlap += (a * b).squareRoot() * width }
        return (1 - min(max(overlap, 0), 1)).squareRoot()
    }

    /// Shares of each sample per bin (numeric columns with more than 20 distinct reference values: Sturges bins
    /// over both samples) or per category; with `fillingZeros`, empty cells get a small share so logarithms stay
    /// finite, as PSI and KL need.
    static func binnedShares(
        _ reference: ColumnSample, _ current: ColumnSample, kind: ColumnKind, integral: Bool, fillingZeros: Bool
    ) -> (reference: [Double], current: [Double]) {
        var shares: (reference: [Double], current: [Double])
        if kind == .numerical, case .numbers(let r) = reference, case .numbers(let c) = current, r.distinctCount > 20 {
            let bins = HistogramBins(
                sturgesFrom: min(r.values[0], c.values[0]), to: max(r.values.last!, c.values.last!),
                size: r.total + c.total, integral: integral)
            shares = (
                bins.counts(r).map { $0 / Double(r.total) }, bins.counts(c).map { $0 / Double(c.total) }
            )
        } else {
            let (_, r, c) = CategoryCounts.aligned(reference.categories, current.categories)
            let referenceTotal = r.reduce(0, +)
            let currentTotal = c.reduce(0, +)
            shares = (r.map { $0 / referenceTotal }, c.map { $0 / currentTotal })
        }
        if fillingZeros {
            shares.reference = filledZeros(shares.reference)
            shares.current = filledZeros(shares.current)
        }
        return shares
    }

    static func filledZeros(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return shares }
        let fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
        return shares.map { $0 == 0 ? fill : $0 }
    }

    static func normalized(_ values: [Double]) -> [Double] {
        let sum = values.reduce(0, +)
        return values.map { $0 / sum }
    }

    /// `scipy.special.rel_entr`: x ln(x/y), 0 when x is 0, infinite when only y is 0.
    static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x > 0 && y > 0 { return x * log(x / y) }
        if x == 0 && y >= 0 { return 0 }
        return .infinity
    }
}
