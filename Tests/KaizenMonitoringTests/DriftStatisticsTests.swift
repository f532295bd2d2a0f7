import Testing

@testable import KaizenMonitoring

struct DriftStatisticsTests {
    @Test func distributionsHoldEveryValueOnce() {
        let distribution = NumericDistribution(
            sample: [3, -1, 2, 3, .nan, -0.0, 0, .infinity, 3, -1e300] + (0..<200).map(Double.init))
        #expect(distribution.values.prefix(4) == [-1e300, -1, 0, 1])
        #expect(distribution.counts[2] == 3)  // -0.0, 0 and 0 from the range
        #expect(distribution.total == 208)
        let sorted = distribution.sortedSample
        #expect(sorted == sorted.sorted() && sorted.count == 208)
    }

    /// Decimal samples are sorted as whole numbers of their smallest unit, others by their doubles' bits: both
    /// give the order and counts a comparison sort gives, value for value.
    static let samples: [[Double]] = {
        let indices = Array(0..<5_000)
        var samples: [[Double]] = []
        // Three places, both signs.
        samples.append(indices.map { (index: Int) -> Double in Double((index * 7_919) % 10_007 - 5_000) / 1_000 })
        // Whole numbers with repeats.
        samples.append(indices.map { (index: Int) -> Double in Double((index * 31) % 997) })
        // Beyond nine places: sorted by bits.
        samples.append(indices.map { (index: Int) -> Double in Double(index % 50) / 8 + 1e-10 })
        // One value with no short decimal form.
        samples.append(indices.map { (index: Int) -> Double in index == 17 ? 1.0 / 3 : Double(index % 300) / 100 })
        // A span too wide for keys.
        samples.append(indices.map { (index: Int) -> Double in index % 2 == 0 ? 1e300 : -Double(index) / 10 })
        // Products of 0.1, which are not the decimals they print as.
        samples.append(indices.map { (index: Int) -> Double in Double((index * 13) % 5_000) * 0.1 })
        // Enough six-place values spread over 26 bits of keys to be split into buckets first.
        let many = Array(0..<100_000)
        samples.append(many.map { (index: Int) -> Double in Double((index &* 7_919_993) % 50_000_000) / 1e6 - 20 })
        // Most of them in one bucket, beside a few far values.
        samples.append(
            many.map { (index: Int) -> Double in index % 1_000 == 0 ? 30_000.125 : Double(index % 977) / 1e3 })
        return samples
    }()

    @Test(arguments: samples)
    func sortedDistributionsEqualAComparisonSort(_ sample: [Double]) {
        let distribution = NumericDistribution(sample: sample)
        var expected: [(Double, Int)] = []
        for value in sample.sorted() {
            if let last = expected.last, last.0 == value {
                expected[expected.count - 1].1 += 1
            } else {
                expected.append((value, 1))
            }
        }
        #expect(distribution.values == expected.map(\.0))
        #expect(distribution.counts == expected.map(\.1))
        #expect(distribution.values.map(\.bitPattern) == expected.map(\.0.bitPattern))
    }

    @Test func decimalKeysStandOnlyForShortDecimals() {
        var threePlaces = [1.25, -0.001, 3.5]
        #expect(threePlaces.withUnsafeMutableBufferPointer { DecimalKeys($0)?.scale } == 3)
        var third = [1.25, 1.0 / 3]
        #expect(third.withUnsafeMutableBufferPointer { DecimalKeys($0) } == nil)
        var wide = [1e300, 1]
        #expect(wide.withUnsafeMutableBufferPointer { DecimalKeys($0) } == nil)
    }

    @Test func wassersteinIsTheAreaBetweenDistributionFunctions() {
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0; [1, 2] vs [1, 1, 2, 3]: 0.25
        let a = NumericDistribution(sample: [0, 1, 3])
        let b = NumericDistribution(sample: [5, 6, 8])
        #expect(DriftStatistics.wasserstein(a, b) == 5)
        let c = NumericDistribution(sample: [1, 2])
        let d = NumericDistribution(sample: [1, 1, 2, 3])
        #expect(abs(DriftStatistics.wasserstein(c, d) - 0.25) < 1e-15)
        // Normed by the reference's population standard deviation, at least 0.001.
        let constant = NumericDistribution(sample: [2, 2, 2])
        #expect(abs(DriftStatistics.normedWasserstein(constant, NumericDistribution(sample: [3])) - 1000) < 1e-9)
    }

    @Test func categoryScoresMatchTheirDefinitions() {
        let reference = CategoryCounts(counts: [.label("a"): 50, .label("b"): 30, .label("c"): 20])
        let current = CategoryCounts(counts: [.label("a"): 20, .label("b"): 30, .label("c"): 50])
        // scipy.spatial.distance.jensenshannon([.5, .3, .2], [.2, .3, .5])
        let shares = (reference: [0.5, 0.3, 0.2], current: [0.2, 0.3, 0.5])
        #expect(abs(DriftStatistics.jensenShannon(shares.reference, shares.current) - 0.25770974832606103) < 1e-12)
        // Σ (r − c) ln(r / c) = 0.3 ln 2.5 · 2
        #expect(abs(DriftStatistics.populationStability(shares.reference, shares.current) - 0.549774439124493) < 1e-12)
        // scipy.stats.entropy([.5, .3, .2], [.2, .3, .5])
        #expect(abs(DriftStatistics.kullbackLeibler(shares.reference, shares.current) - 0.27488721956224654) < 1e-12)
        #expect(abs(DriftStatistics.hellinger(reference, current) - 0.2598931856865897) < 1e-12)
        // Identical samples do not drift.
        #expect(
            DriftStatistics.zTest(
                CategoryCounts(counts: [.number(1): 5]), CategoryCounts(counts: [.number(1): 9])) == 1)
        #expect(DriftStatistics.chiSquare(reference, reference) > 0.999)
    }

    @Test func emptyCellsGetTheSmallShareThatKeepsLogarithmsFinite() {
        #expect(DriftStatistics.filledZeros([0.5, 0, 0.5]) == [0.5, 0.0001, 0.5])
        #expect(DriftStatistics.filledZeros([0.99999, 0.00001, 0]) == [0.99999, 0.00001, 0.00001 / 1e6])
    }

    @Test func binsArePlacedAsNumPyPlacesThem() {
        // numpy.histogram_bin_edges(np.arange(100.0), bins="sturges"): 8 bins from 0 to 99.
        let bins = HistogramBins(sturgesFrom: 0, to: 99, size: 100, integral: false)
        #expect(bins.count == 8)
        #expect(bins.edges.first == 0 && bins.edges.last == 99)
        func bin(of value: Double) -> Int? {
            bins.counts(NumericDistribution(sample: [value])).firstIndex { $0 > 0 }
        }
        #expect(bin(of: 99) == 7)
        #expect(bin(of: 12.375) == 1)  // exactly on an edge: the bin to its right
        #expect(bin(of: 100) == nil)
        // Integer data gets bins at least 1 wide: 0...4 over 1,000 values is 4 bins, not 11.
        #expect(HistogramBins(sturgesFrom: 0, to: 4, size: 1000, integral: true).count == 4)
        #expect(HistogramBins(sturgesFrom: 0, to: 4, size: 1000, integral: false).count == 11)
    }

    @Test func defaultMethodsFollowTheReferenceSizeAndValueCount() {
        #expect(DriftMethod.default(for: .numerical, referenceCount: 1000, distinctValues: 6) == .ks)
        #expect(DriftMethod.default(for: .numerical, referenceCount: 1000, distinctValues: 5) == .chisquare)
        #expect(DriftMethod.default(for: .numerical, referenceCount: 1000, distinctValues: 2) == .z)
        #expect(DriftMethod.default(for: .categorical, referenceCount: 10, distinctValues: 3) == .chisquare)
        #expect(DriftMethod.default(for: .numerical, referenceCount: 1001, distinctValues: 6) == .wasserstein)
        #expect(DriftMethod.default(for: .numerical, referenceCount: 1001, distinctValues: 5) == .jensenshannon)
        #expect(DriftMethod.default(for: .categorical, referenceCount: 5000, distinctValues: 2) == .jensenshannon)
    }
}
