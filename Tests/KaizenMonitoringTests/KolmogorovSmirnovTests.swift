import KaizenCore
import Testing

@testable import KaizenMonitoring

/// Kaizen's Kolmogorov–Smirnov test and special functions against values the reference tools computed
/// (`interop-monitor/make_ks_vectors.py` prints them), to a relative error of 1e-9 on every case.
///
/// Worst relative errors seen when these vectors were made: two-sample p-values 4.9e-15 (26 of 29 identical to the
/// bit), `kstwo.sf` 1.2e-12 (Pomeranz's recursion at n = 100, where 1 − CDF keeps only the last bits of a sum the
/// reference forms with BLAS), `smirnov` 3.0e-15, `chi2.sf` and `norm.cdf` 0 (every value identical to the bit).
/// Every statistic D agrees to the bit.
struct KolmogorovSmirnovTests {
    static let tolerance = 1e-9

    /// |got − expected| / |expected|; 0 when both are equal or both NaN, infinite when only one is 0 or NaN.
    static func relativeError(_ got: Double, _ expected: Double) -> Double {
        if got == expected || (got.isNaN && expected.isNaN) { return 0 }
        if expected == 0 || !expected.isFinite || got.isNaN { return .infinity }
        return abs(got - expected) / abs(expected)
    }

    /// The cases outside the tolerance, as lines for a failure message, and the worst relative error.
    static func mismatches<Case>(
        _ cases: [Case], _ evaluate: (Case) -> (label: String, got: Double, expected: Double)
    )
        -> (lines: [String], worst: Double)
    {
        var lines: [String] = []
        var worst = 0.0
        for testCase in cases {
            let (label, got, expected) = evaluate(testCase)
            let error = relativeError(got, expected)
            worst = max(worst, error)
            if error > tolerance { lines.append("\(label): got \(got), expected \(expected)") }
        }
        return (lines, worst)
    }

    @Test(arguments: twoSampleCases)
    func twoSampleMatchesReference(_ testCase: TwoSampleCase) throws {
        let reference = testCase.reference.sortedValues()
        let current = testCase.current.sortedValues()
        let result = try KolmogorovSmirnov.twoSample(sortedReference: reference, sortedCurrent: current)
        #expect(result.statistic == testCase.statistic)
        #expect(
            Self.relativeError(result.pValue, testCase.pValue) <= Self.tolerance,
            "p = \(result.pValue), expected \(testCase.pValue)")
        #expect(result.method == testCase.method)
    }

    @Test func twoSidedSurvivalMatchesReference() {
        let (lines, worst) = Self.mismatches(Self.survivalCases) {
            ("n = \($0.n), d = \($0.d)", KolmogorovSmirnov.twoSidedSurvival($0.d, sampleSize: $0.n), $0.expected)
        }
        #expect(lines.isEmpty, "worst relative error \(worst): \(lines.prefix(10))")
    }

    @Test func oneSidedSurvivalMatchesReference() {
        let (lines, worst) = Self.mismatches(Self.smirnovCases) {
            (
                "n = \($0.n), d = \($0.d)", SpecialFunctions.smirnovSurvival(sampleSize: $0.n, deviation: $0.d),
                $0.expected
            )
        }
        #expect(lines.isEmpty, "worst relative error \(worst): \(lines.prefix(10))")
    }

    @Test func chiSquareSurvivalMatchesReference() {
        let (lines, worst) = Self.mismatches(Self.chiSquareCases) {
            (
                "x = \($0.x), df = \($0.df)", SpecialFunctions.chiSquareSurvival($0.x, degreesOfFreedom: $0.df),
                $0.expected
            )
        }
        #expect(lines.isEmpty, "worst relative error \(worst): \(lines.prefix(10))")
    }

    @Test func normalCDFMatchesReference() {
        let (lines, worst) = Self.mismatches(Self.normalCases) {
            ("z = \($0.z)", SpecialFunctions.normalCDF($0.z), $0.expected)
        }
        #expect(lines.isEmpty, "worst relative error \(worst): \(lines.prefix(10))")
    }

    @Test func takesSlicesAndIsSymmetric() throws {
        let reference = SampleSpec(.bell, seed: 5, count: 1000, offset: 0, scale: 1).sortedValues()
        let current = SampleSpec(.bell, seed: 6, count: 1000, offset: 0.05, scale: 1).sortedValues()
        let whole = try KolmogorovSmirnov.twoSample(sortedReference: reference, sortedCurrent: current)
        let swapped = try KolmogorovSmirnov.twoSample(sortedReference: current, sortedCurrent: reference)
        #expect(whole == swapped)

        let padded = [-Double.infinity] + reference + [Double.infinity]
        let sliced = try KolmogorovSmirnov.twoSample(sortedReference: padded[1..<1001], sortedCurrent: current[...])
        #expect(sliced == whole)
        let strided = try KolmogorovSmirnov.twoSample(
            sortedReference: stride(from: 0, to: 1000, by: 1).lazy.map { reference[$0] }, sortedCurrent: current)
        #expect(strided == whole)
    }

    @Test func rejectsEmptyUnsortedAndNaNSamples() {
        #expect(throws: KolmogorovSmirnov.InputError.self) {
            try KolmogorovSmirnov.twoSample(sortedReference: [Double](), sortedCurrent: [1.0])
        }
        let cases: [([Double], [Double], KolmogorovSmirnov.InputError.Code)] = [
            ([], [1], .emptySample),
            ([1], [], .emptySample),
            ([2, 1], [1], .unsortedSample),
            ([1], [.nan], .unsortedSample),
            ([1, .nan, 2], [1], .unsortedSample),
        ]
        for (reference, current, code) in cases {
            do {
                _ = try KolmogorovSmirnov.twoSample(sortedReference: reference, sortedCurrent: current)
                Issue.record("accepted \(reference) and \(current)")
            } catch {
                #expect(error.code == code, "\(reference), \(current): \(error)")
            }
        }
    }

    @Test func handlesInfinitiesAndTiesAsRightSidedCounts() throws {
        let result = try KolmogorovSmirnov.twoSample(
            sortedReference: [-.infinity, 1, 1, 1, 2], sortedCurrent: [1, 2, 2, .infinity])
        // F₁ and F₂ at −∞, 1, 2, ∞: 1/5 − 0, 4/5 − 1/4, 1 − 3/4, 1 − 1; D = 4/5 − 1/4 snapped to k/20.
        #expect(result.statistic == 11.0 / 20.0)
        #expect(result.method == .exact)
    }
}

/// A sample rebuilt from SplitMix64 draws with arithmetic that rounds identically everywhere.
struct SampleSpec: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        /// offset + scale · u.
        case uniform
        /// offset + scale · (u₁ + u₂ + u₃ + u₄ − 2), roughly normal.
        case bell
        /// ⌊offset + scale · u⌋, for heavy ties.
        case integer
        /// offset + scale · k for k = 0, 1, …
        case ramp
    }

    let kind: Kind
    let seed: UInt64
    let count: Int
    let offset: Double
    let scale: Double

    init(_ kind: Kind, seed: UInt64, count: Int, offset: Double, scale: Double) {
        self.kind = kind
        self.seed = seed
        self.count = count
        self.offset = offset
        self.scale = scale
    }

    var description: String { "\(kind) × \(count) (seed \(seed))" }

    func sortedValues() -> [Double] {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        var values = [Double]()
        values.reserveCapacity(count)
        for index in 0..<count {
            switch kind {
            case .uniform:
                values.append(offset + scale * uniform())
            case .bell:
                let u1 = uniform()
                let u2 = uniform()
                let u3 = uniform()
                let u4 = uniform()
                values.append(offset + scale * ((((u1 + u2) + u3) + u4) - 2.0))
            case .integer:
                values.append((offset + scale * uniform()).rounded(.down))
            case .ramp:
                values.append(offset + scale * Double(index))
            }
        }
        values.sort()
        return values
    }
}

struct TwoSampleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let reference: SampleSpec
    let current: SampleSpec
    let statistic: Double
    let pValue: Double
    let method: KolmogorovSmirnov.PValueMethod

    init(
        _ name: String, _ reference: SampleSpec, _ current: SampleSpec, statistic: Double, pValue: Double,
        method: KolmogorovSmirnov.PValueMethod
    ) {
        self.name = name
        self.reference = reference
        self.current = current
        self.statistic = statistic
        self.pValue = pValue
        self.method = method
    }

    var testDescription: String { name }
}

extension KolmogorovSmirnovTests {
    // BEGIN GENERATED by interop-monitor/make_ks_vectors.py
    // scipy 1.17.1, numpy 2.4.6

    static let twoSampleCases: [TwoSampleCase] = [
        // exact, equal sizes
        TwoSampleCase(
            "equal 5 v 5",
            SampleSpec(.uniform, seed: 1, count: 5, offset: 0.0, scale: 1.0),
            SampleSpec(.uniform, seed: 2, count: 5, offset: 0.3, scale: 1.0),
            statistic: 0.6, pValue: 0.35714285714285715, method: .exact),
        // exact, equal sizes
        TwoSampleCase(
            "equal 50 v 50",
            SampleSpec(.bell, seed: 3, count: 50, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 4, count: 50, offset: 0.3, scale: 1.0),
            statistic: 0.36, pValue: 0.002834980581320342, method: .exact),
        // exact, equal sizes
        TwoSampleCase(
            "equal 1000 v 1000",
            SampleSpec(.bell, seed: 5, count: 1000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 6, count: 1000, offset: 0.05, scale: 1.0),
            statistic: 0.047, pValue: 0.21939649929677082, method: .exact),
        // exact, equal sizes
        TwoSampleCase(
            "equal 10000 v 10000",
            SampleSpec(.bell, seed: 7, count: 10000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 8, count: 10000, offset: 0.0, scale: 1.03),
            statistic: 0.0231, pValue: 0.009627220439461456, method: .exact),
        // exact, unequal sizes
        TwoSampleCase(
            "unequal 7 v 13",
            SampleSpec(.uniform, seed: 9, count: 7, offset: 0.0, scale: 1.0),
            SampleSpec(.uniform, seed: 10, count: 13, offset: 0.2, scale: 1.0),
            statistic: 0.5384615384615384, pValue: 0.11127450980392158, method: .exact),
        // exact, unequal sizes
        TwoSampleCase(
            "unequal 100 v 1000",
            SampleSpec(.bell, seed: 11, count: 100, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 12, count: 1000, offset: 0.1, scale: 1.0),
            statistic: 0.054, pValue: 0.9432520313377559, method: .exact),
        // exact, unequal sizes
        TwoSampleCase(
            "unequal 1000 v 10000 (exact at the limit)",
            SampleSpec(.bell, seed: 13, count: 1000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 14, count: 10000, offset: 0.0, scale: 1.05),
            statistic: 0.0266, pValue: 0.533647725430665, method: .exact),
        // exact, unequal sizes
        TwoSampleCase(
            "unequal 9999 v 10000",
            SampleSpec(.bell, seed: 15, count: 9999, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 16, count: 10000, offset: 0.01, scale: 1.0),
            statistic: 0.010187208720872087, pValue: 0.6702987074708368, method: .exact),
        // Pelz-Good
        TwoSampleCase(
            "unequal 1000 v 10001 (asymptotic)",
            SampleSpec(.bell, seed: 17, count: 1000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 18, count: 10001, offset: 0.0, scale: 1.05),
            statistic: 0.04108839116088392, pValue: 0.09035600324529713, method: .asymptotic),
        // Pelz-Good
        TwoSampleCase(
            "unequal 500 v 200000",
            SampleSpec(.bell, seed: 19, count: 500, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 20, count: 200000, offset: 0.02, scale: 1.0),
            statistic: 0.043729999999999936, pValue: 0.28724102976207344, method: .asymptotic),
        // Pelz-Good
        TwoSampleCase(
            "unequal 1000 v 1000000",
            SampleSpec(.bell, seed: 21, count: 1000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 22, count: 1_000_000, offset: 0.0, scale: 1.0),
            statistic: 0.020305999999999935, pValue: 0.7966597301796143, method: .asymptotic),
        // 2 smirnov
        TwoSampleCase(
            "unequal 2000 v 20000 shifted",
            SampleSpec(.bell, seed: 23, count: 2000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 24, count: 20000, offset: 0.15, scale: 1.0),
            statistic: 0.10720000000000002, pValue: 1.1988956197071505e-18, method: .asymptotic),
        // Pelz-Good
        TwoSampleCase(
            "equal 200000 v 200000",
            SampleSpec(.bell, seed: 25, count: 200000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 26, count: 200000, offset: 0.0, scale: 1.0),
            statistic: 0.00305500000000003, pValue: 0.3075318759208091, method: .asymptotic),
        // exact, unequal sizes
        TwoSampleCase(
            "ties 300 v 400",
            SampleSpec(.integer, seed: 27, count: 300, offset: 0.0, scale: 5.0),
            SampleSpec(.integer, seed: 28, count: 400, offset: 0.3, scale: 5.0),
            statistic: 0.08083333333333333, pValue: 0.20295486135969892, method: .exact),
        // exact, equal sizes
        TwoSampleCase(
            "ties 2000 v 2000",
            SampleSpec(.integer, seed: 29, count: 2000, offset: 0.0, scale: 20.0),
            SampleSpec(.integer, seed: 30, count: 2000, offset: 0.0, scale: 20.5),
            statistic: 0.0275, pValue: 0.43609338214006377, method: .exact),
        // 2 smirnov
        TwoSampleCase(
            "ties 20000 v 30000",
            SampleSpec(.integer, seed: 31, count: 20000, offset: 0.0, scale: 8.0),
            SampleSpec(.integer, seed: 32, count: 30000, offset: 0.1, scale: 8.0),
            statistic: 0.014983333333333348, pValue: 0.009049750986047477, method: .asymptotic),
        // exact, equal sizes
        TwoSampleCase(
            "identical 200",
            SampleSpec(.bell, seed: 33, count: 200, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 33, count: 200, offset: 0.0, scale: 1.0),
            statistic: 0.0, pValue: 1.0, method: .exact),
        // below support
        TwoSampleCase(
            "identical 20000",
            SampleSpec(.bell, seed: 34, count: 20000, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 34, count: 20000, offset: 0.0, scale: 1.0),
            statistic: 0.0, pValue: 1.0, method: .asymptotic),
        // exact, equal sizes
        TwoSampleCase(
            "separated 50 v 50",
            SampleSpec(.uniform, seed: 35, count: 50, offset: 0.0, scale: 1.0),
            SampleSpec(.uniform, seed: 36, count: 50, offset: 2.0, scale: 1.0),
            statistic: 1.0, pValue: 1.9823306042836678e-29, method: .exact),
        // exact, unequal sizes
        TwoSampleCase(
            "separated 100 v 300",
            SampleSpec(.uniform, seed: 37, count: 100, offset: 0.0, scale: 1.0),
            SampleSpec(.uniform, seed: 38, count: 300, offset: 2.0, scale: 1.0),
            statistic: 1.0, pValue: 8.921184402908388e-97, method: .exact),
        // above support
        TwoSampleCase(
            "separated 1000 v 20000",
            SampleSpec(.uniform, seed: 39, count: 1000, offset: 0.0, scale: 1.0),
            SampleSpec(.uniform, seed: 40, count: 20000, offset: 2.0, scale: 1.0),
            statistic: 1.0, pValue: 0.0, method: .asymptotic),
        // exact, unequal sizes
        TwoSampleCase(
            "single 1 v 10",
            SampleSpec(.uniform, seed: 41, count: 1, offset: 0.5, scale: 1.0),
            SampleSpec(.uniform, seed: 42, count: 10, offset: 0.0, scale: 1.0),
            statistic: 0.6, pValue: 0.9090909090909091, method: .exact),
        // above support
        TwoSampleCase(
            "single 1 v 20000",
            SampleSpec(.uniform, seed: 43, count: 1, offset: 0.5, scale: 1.0),
            SampleSpec(.uniform, seed: 44, count: 20000, offset: 0.0, scale: 1.0),
            statistic: 1.0, pValue: 0.0, method: .asymptotic),
        // exact count left [0, 1], then below support
        TwoSampleCase(
            "exact count above 1 (5 v 5, D = 1/5)",
            SampleSpec(.ramp, seed: 0, count: 5, offset: 0.0, scale: 1.0),
            SampleSpec(.ramp, seed: 0, count: 5, offset: 0.5, scale: 1.0),
            statistic: 0.2, pValue: 1.0, method: .asymptotic),
        // exact count left [0, 1], then Ruben-Gambino low (product)
        TwoSampleCase(
            "exact count above 1 (60 v 60, D = 2/60)",
            SampleSpec(.ramp, seed: 0, count: 60, offset: 0.0, scale: 1.0),
            SampleSpec(.ramp, seed: 0, count: 60, offset: 1.5, scale: 1.0),
            statistic: 0.03333333333333333, pValue: 0.9999999999987117, method: .asymptotic),
        // Durbin matrix
        TwoSampleCase(
            "Durbin matrix (200 v 20000, D = 700/20000)",
            SampleSpec(.ramp, seed: 0, count: 200, offset: 700.0, scale: 100.0),
            SampleSpec(.ramp, seed: 0, count: 20000, offset: 0.0, scale: 1.0),
            statistic: 0.03500000000000003, pValue: 0.9615373042837624, method: .asymptotic),
        // Ruben-Gambino low (Stirling)
        TwoSampleCase(
            "Ruben-Gambino (200 v 20000, D = 80/20000)",
            SampleSpec(.ramp, seed: 0, count: 200, offset: 80.0, scale: 100.0),
            SampleSpec(.ramp, seed: 0, count: 20000, offset: 0.0, scale: 1.0),
            statistic: 0.0040000000000000036, pValue: 1.0, method: .asymptotic),
        // Pomeranz
        TwoSampleCase(
            "Pomeranz (15 v 20000)",
            SampleSpec(.bell, seed: 45, count: 15, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 46, count: 20000, offset: 0.2, scale: 1.0),
            statistic: 0.3879666666666666, pValue: 0.015252612231261509, method: .asymptotic),
        // Pomeranz
        TwoSampleCase(
            "Pomeranz (100 v 20000)",
            SampleSpec(.bell, seed: 47, count: 100, offset: 0.0, scale: 1.0),
            SampleSpec(.bell, seed: 48, count: 20000, offset: 0.0, scale: 1.0),
            statistic: 0.11325000000000002, pValue: 0.14232624665111482, method: .asymptotic),
    ]

    /// (n, d, kstwo.sf(d, n)), with the branch that computes it.
    static let survivalCases: [(n: Int, d: Double, expected: Double)] = [
        (1, 0.0, 1.0),  // below support
        (1, 0.1414213562373095, 1.0),  // below support
        (1, 0.2, 1.0),  // below support
        (1, 0.3, 1.0),  // below support
        (1, 0.31622776601683794, 1.0),  // below support
        (1, 0.4, 1.0),  // below support
        (1, 0.45, 1.0),  // below support
        (1, 0.49, 1.0),  // below support
        (1, 0.5, 1.0),  // below support
        (1, 0.5477225575051661, 0.9045548849896679),  // Ruben-Gambino low (product)
        (1, 0.7, 0.6000000000000001),  // Ruben-Gambino low (product)
        (1, 0.7071067811865476, 0.5857864376269049),  // Ruben-Gambino low (product)
        (1, 0.75, 0.5),  // Ruben-Gambino low (product)
        (1, 0.8683317338436964, 0.2633365323126071),  // Ruben-Gambino low (product)
        (1, 0.8689073598491384, 0.2621852803017233),  // Ruben-Gambino low (product)
        (1, 0.95, 0.10000000000000009),  // Ruben-Gambino low (product)
        (1, 0.99, 0.020000000000000018),  // Ruben-Gambino low (product)
        (1, 1.0, 0.0),  // above support
        (1, 1.2, 0.0),  // above support
        (2, 0.0, 1.0),  // below support
        (2, 0.1, 1.0),  // below support
        (2, 0.2, 1.0),  // below support
        (2, 0.22360679774997896, 1.0),  // below support
        (2, 0.25, 1.0),  // below support
        (2, 0.3, 0.98),  // Ruben-Gambino low (product)
        (2, 0.375, 0.875),  // Ruben-Gambino low (product)
        (2, 0.3872983346207417, 0.8491933384829667),  // Ruben-Gambino low (product)
        (2, 0.45, 0.6799999999999999),  // Ruben-Gambino low (product)
        (2, 0.49, 0.5392),  // Ruben-Gambino low (product)
        (2, 0.495, 0.5198),  // Ruben-Gambino low (product)
        (2, 0.5, 0.5),  // Ruben-Gambino low (product)
        (2, 0.6140032573203501, 0.2979869707185997),  // Ruben-Gambino high
        (2, 0.6144102863722254, 0.29735885451109845),  // Ruben-Gambino high
        (2, 0.65, 0.24499999999999997),  // Ruben-Gambino high
        (2, 0.7, 0.18000000000000005),  // Ruben-Gambino high
        (2, 0.7071067811865476, 0.17157287525380985),  // Ruben-Gambino high
        (2, 0.75, 0.125),  // Ruben-Gambino high
        (2, 0.7726060459843137, 0.10341602064577611),  // Ruben-Gambino high
        (2, 0.8041409866367347, 0.07672150623126345),  // Ruben-Gambino high
        (2, 0.8660254037844386, 0.03589838486224544),  // Ruben-Gambino high
        (2, 0.95, 0.005000000000000009),  // Ruben-Gambino high
        (2, 1.0, 0.0),  // above support
        (2, 1.0464224768228174, 0.0),  // above support
        (2, 1.0511898020814319, 0.0),  // above support
        (2, 1.2, 0.0),  // above support
        (3, 0.0, 1.0),  // below support
        (3, 0.08164965809277261, 1.0),  // below support
        (3, 0.13333333333333333, 1.0),  // below support
        (3, 0.16666666666666666, 1.0),  // below support
        (3, 0.18257418583505536, 0.9998067815459122),  // Ruben-Gambino low (product)
        (3, 0.2, 0.9982222222222222),  // Ruben-Gambino low (product)
        (3, 0.25, 0.9722222222222222),  // Ruben-Gambino low (product)
        (3, 0.3, 0.8862222222222222),  // Ruben-Gambino low (product)
        (3, 0.31622776601683794, 0.8394178812740485),  // Ruben-Gambino low (product)
        (3, 0.33, 0.7908462222222222),  // Ruben-Gambino low (product)
        (3, 0.3333333333333333, 0.7777777777777778),  // Ruben-Gambino low (product)
        (3, 0.408248290463863, 0.5718253554980275),  // Durbin matrix (n <= 140)
        (3, 0.43333333333333335, 0.5031111111111111),  // Durbin matrix (n <= 140)
        (3, 0.45, 0.4584999999999999),  // Durbin matrix (n <= 140)
        (3, 0.49, 0.35705466666666674),  // Durbin matrix (n <= 140)
        (3, 0.5, 0.3333333333333333),  // 2 smirnov (x >= 1/2)
        (3, 0.5013315602805526, 0.3302334610002069),  // 2 smirnov (x >= 1/2)
        (3, 0.501663898109747, 0.32946199706465534),  // 2 smirnov (x >= 1/2)
        (3, 0.5773502691896257, 0.17863279495408188),  // 2 smirnov (x >= 1/2)
        (3, 0.5896087631473722, 0.15924327790396636),  // 2 smirnov (x >= 1/2)
        (3, 0.6136744269493059, 0.12565605225252924),  // 2 smirnov (x >= 1/2)
        (3, 0.6666666666666667, 0.07407407407407403),  // Ruben-Gambino high
        (3, 0.7, 0.05400000000000003),  // Ruben-Gambino high
        (3, 0.7071067811865476, 0.0502525316941673),  // Ruben-Gambino high
        (3, 0.8333333333333334, 0.009259259259259254),  // Ruben-Gambino high
        (3, 0.8544003745317531, 0.006173205993121751),  // Ruben-Gambino high
        (3, 0.8582928793055822, 0.005691215322949143),  // Ruben-Gambino high
        (3, 0.95, 0.00025000000000000066),  // Ruben-Gambino high
        (3, 1.0, 0.0),  // above support
        (3, 1.1532562594670797, 0.0),  // above support
        (3, 1.1561430130683084, 0.0),  // above support
        (3, 1.2, 0.0),  // above support
        (5, 0.0, 1.0),  // below support
        (5, 0.06324555320336758, 1.0),  // below support
        (5, 0.08, 1.0),  // below support
        (5, 0.1, 1.0),  // below support
        (5, 0.1414213562373095, 0.9995317769413213),  // Ruben-Gambino low (product)
        (5, 0.15, 0.9988),  // Ruben-Gambino low (product)
        (5, 0.198, 0.96528944140288),  // Ruben-Gambino low (product)
        (5, 0.2, 0.9616),  // Ruben-Gambino low (product)
        (5, 0.2449489742783178, 0.8598890846719871),  // Durbin matrix (n <= 140)
        (5, 0.26, 0.81234688),  // Durbin matrix (n <= 140)
        (5, 0.3, 0.664),  // Durbin matrix (n <= 140)
        (5, 0.31622776601683794, 0.5998747061834246),  // Durbin matrix (n <= 140)
        (5, 0.388329756778952, 0.3412920165947708),  // Durbin matrix (n <= 140)
        (5, 0.38858718455450897, 0.3405364762183464),  // Pomeranz
        (5, 0.41943509238151117, 0.26025018531005495),  // Pomeranz
        (5, 0.4365548920705525, 0.22160708826511477),  // Pomeranz
        (5, 0.4472135954999579, 0.19951883851095398),  // Pomeranz
        (5, 0.45, 0.19399374999999963),  // Pomeranz
        (5, 0.49, 0.12586655800000002),  // Pomeranz
        (5, 0.5, 0.112),  // 2 smirnov (x >= 1/2)
        (5, 0.5477225575051661, 0.061518030970205084),  // 2 smirnov (x >= 1/2)
        (5, 0.6618156843109719, 0.011260107954639326),  // 2 smirnov (x >= 1/2)
        (5, 0.6648308055437865, 0.010678943350041626),  // 2 smirnov (x >= 1/2)
        (5, 0.7, 0.005560000000000004),  // 2 smirnov (x >= 1/2)
        (5, 0.7745966692414834, 0.0011669006397307495),  // 2 smirnov (x >= 1/2)
        (5, 0.8, 0.0006399999999999993),  // Ruben-Gambino high
        (5, 0.8933084573650918, 2.7649034377555723e-05),  // Ruben-Gambino high
        (5, 0.8955445270895244, 2.4870584602223263e-05),  // Ruben-Gambino high
        (5, 0.9, 1.9999999999999978e-05),  // Ruben-Gambino high
        (5, 0.95, 6.250000000000028e-07),  // Ruben-Gambino high
        (5, 1.0, 0.0),  // above support
        (5, 1.0954451150103321, 0.0),  // above support
        (5, 1.2, 0.0),  // above support
        (10, 0.0, 1.0),  // below support
        (10, 0.04, 1.0),  // below support
        (10, 0.044721359549995794, 1.0),  // below support
        (10, 0.05, 1.0),  // below support
        (10, 0.075, 0.999999645625),  // Ruben-Gambino low (product)
        (10, 0.099, 0.9997035006198366),  // Ruben-Gambino low (product)
        (10, 0.1, 0.99963712),  // Ruben-Gambino low (product)
        (10, 0.13, 0.9874829346609387),  // Durbin matrix (n <= 140)
        (10, 0.17320508075688773, 0.8769376445816681),  // Durbin matrix (n <= 140)
        (10, 0.2, 0.7487190399999999),  // Durbin matrix (n <= 140)
        (10, 0.22360679774997896, 0.6230516800273397),  // Durbin matrix (n <= 140)
        (10, 0.25, 0.4841115325000003),  // Durbin matrix (n <= 140)
        (10, 0.26422755097803335, 0.4152728984369136),  // Durbin matrix (n <= 140)
        (10, 0.2745906043549196, 0.36897604880240487),  // Durbin matrix (n <= 140)
        (10, 0.27477263328068174, 0.3681942062163738),  // Pomeranz
        (10, 0.2750123489771367, 0.36716627564735005),  // Pomeranz
        (10, 0.3, 0.27053557479999946),  // Pomeranz
        (10, 0.31622776601683794, 0.21828385386284876),  // Pomeranz
        (10, 0.3872983346207417, 0.07349154220851328),  // Pomeranz
        (10, 0.45, 0.022891810311717498),  // Pomeranz
        (10, 0.4679743582719036, 0.01578206863505216),  // Pomeranz
        (10, 0.47010637094172636, 0.015083464462211427),  // Pomeranz
        (10, 0.49, 0.009763393811568544),  // Pomeranz
        (10, 0.5, 0.00777741),  // 2 smirnov (x >= 1/2)
        (10, 0.5477225575051661, 0.002419655855797518),  // 2 smirnov (x >= 1/2)
        (10, 0.6316644678941503, 0.0002144537103369323),  // 2 smirnov (x >= 1/2)
        (10, 0.6332456079595026, 0.00020385309379109955),  // 2 smirnov (x >= 1/2)
        (10, 0.7, 1.9544800000000034e-05),  // 2 smirnov (x >= 1/2)
        (10, 0.7745966692414834, 7.959007180133533e-07),  // 2 smirnov (x >= 1/2)
        (10, 0.85, 1.1566210937500017e-08),  // 2 smirnov (x >= 1/2)
        (10, 0.9, 1.9999999999999957e-10),  // Ruben-Gambino high
        (10, 0.95, 1.9531250000000172e-13),  // Ruben-Gambino high
        (10, 1.0, 0.0),  // above support
        (10, 1.2, 0.0),  // above support
        (20, 0.0, 1.0),  // below support
        (20, 0.02, 1.0),  // below support
        (20, 0.025, 1.0),  // below support
        (20, 0.03162277660168379, 1.0),  // Ruben-Gambino low (product)
        (20, 0.0375, 0.9999999999999779),  // Ruben-Gambino low (product)
        (20, 0.0495, 0.9999999845101855),  // Ruben-Gambino low (product)
        (20, 0.05, 0.9999999767980384),  // Ruben-Gambino low (product)
        (20, 0.065, 0.9999601256958508),  // Durbin matrix (n <= 140)
        (20, 0.07071067811865475, 0.9997818090737921),  // Durbin matrix (n <= 140)
        (20, 0.1224744871391589, 0.890041965695165),  // Durbin matrix (n <= 140)
        (20, 0.125, 0.8758617995908946),  // Durbin matrix (n <= 140)
        (20, 0.15811388300841897, 0.6428819115213241),  // Durbin matrix (n <= 140)
        (20, 0.16645292671969744, 0.5797191085973782),  // Durbin matrix (n <= 140)
        (20, 0.1732469237286647, 0.5294594614097955),  // Durbin matrix (n <= 140)
        (20, 0.194164878389476, 0.38781473506881803),  // Durbin matrix (n <= 140)
        (20, 0.19429359227725448, 0.38701826497486136),  // Pomeranz
        (20, 0.2, 0.352720173623415),  // Pomeranz
        (20, 0.22360679774997896, 0.23255659230168213),  // Pomeranz
        (20, 0.27386127875258304, 0.08126135569141768),  // Pomeranz
        (20, 0.3, 0.04306706665851623),  // Pomeranz
        (20, 0.33090784215548597, 0.018773030933712076),  // Pomeranz
        (20, 0.33241540277189324, 0.017987447063245954),  // Pomeranz
        (20, 0.3872983346207417, 0.0032765640774725657),  // Pomeranz
        (20, 0.4466542286825459, 0.0003709139193004418),  // Pomeranz
        (20, 0.4477722635447622, 0.0003547435444037605),  // 2 smirnov (n <= 140)
        (20, 0.45, 0.00032446411409554644),  // 2 smirnov (n <= 140)
        (20, 0.49, 5.954371796746067e-05),  // 2 smirnov (n <= 140)
        (20, 0.5, 3.787595240539032e-05),  // 2 smirnov (x >= 1/2)
        (20, 0.5477225575051661, 3.698660264800485e-06),  // 2 smirnov (x >= 1/2)
        (20, 0.7, 2.392395040880019e-10),  // 2 smirnov (x >= 1/2)
        (20, 0.7071067811865476, 1.3757474852040778e-10),  // 2 smirnov (x >= 1/2)
        (20, 0.925, 6.34242522392007e-23),  // 2 smirnov (x >= 1/2)
        (20, 0.946044396421225, 8.745025880812704e-26),  // 2 smirnov (x >= 1/2)
        (20, 0.95, 1.9073486328125338e-26),  // Ruben-Gambino high
        (20, 0.9513148795220224, 1.1193218380420405e-26),  // Ruben-Gambino high
        (20, 0.975, 1.8189894035458887e-32),  // Ruben-Gambino high
        (20, 1.0, 0.0),  // above support
        (20, 1.2, 0.0),  // above support
        (50, 0.0, 1.0),  // below support
        (50, 0.008, 1.0),  // below support
        (50, 0.01, 1.0),  // below support
        (50, 0.015, 1.0),  // Ruben-Gambino low (product)
        (50, 0.019799999999999998, 1.0),  // Ruben-Gambino low (product)
        (50, 0.02, 1.0),  // Ruben-Gambino low (product)
        (50, 0.026000000000000002, 0.9999999999992721),  // Durbin matrix (n <= 140)
        (50, 0.044721359549995794, 0.9998663703172499),  // Durbin matrix (n <= 140)
        (50, 0.05, 0.9990238098461883),  // Durbin matrix (n <= 140)
        (50, 0.07745966692414834, 0.9023745598590861),  // Durbin matrix (n <= 140)
        (50, 0.09036455132434555, 0.7751802894712768),  // Durbin matrix (n <= 140)
        (50, 0.09405290035799231, 0.7328620906719245),  // Durbin matrix (n <= 140)
        (50, 0.1, 0.6623112704658186),  // Durbin matrix (n <= 140)
        (50, 0.12280065146407002, 0.4052186761026162),  // Durbin matrix (n <= 140)
        (50, 0.12288205727444508, 0.4044057131636153),  // Pomeranz
        (50, 0.1414213562373095, 0.24581239735690597),  // Pomeranz
        (50, 0.17320508075688773, 0.08803852816311841),  // Pomeranz
        (50, 0.2, 0.03143877776953241),  // Pomeranz
        (50, 0.2092844953645635, 0.021243931876681166),  // Pomeranz
        (50, 0.21023796041628637, 0.02038474359030773),  // Pomeranz
        (50, 0.2449489742783178, 0.003974176548600661),  // Pomeranz
        (50, 0.2824889378365107, 0.0005053630852507318),  // Pomeranz
        (50, 0.2831960451701259, 0.0004846590514321917),  // 2 smirnov (n <= 140)
        (50, 0.3, 0.00017353260202718738),  // 2 smirnov (n <= 140)
        (50, 0.34641016151377546, 7.274359725462303e-06),  // 2 smirnov (n <= 140)
        (50, 0.4472135954999579, 1.2224404124387614e-09),  // 2 smirnov (n <= 140)
        (50, 0.45, 9.261187857225947e-10),  // 2 smirnov (n <= 140)
        (50, 0.49, 1.3566926883177891e-11),  // 2 smirnov (n <= 140)
        (50, 0.5, 4.392853499119748e-12),  // 2 smirnov (x >= 1/2)
        (50, 0.5983310120660636, 1.2320872943748894e-17),  // 2 smirnov (x >= 1/2)
        (50, 0.6016643582596529, 7.53038099043066e-18),  // 2 smirnov (x >= 1/2)
        (50, 0.7, 4.405451055671056e-25),  // 2 smirnov (x >= 1/2)
        (50, 0.95, 1.7763568621337656e-65),  // 2 smirnov (x >= 1/2)
        (50, 0.97, 1.4357959753837688e-76),  // 2 smirnov (x >= 1/2)
        (50, 0.98, 2.251799813685348e-85),  // Ruben-Gambino high
        (50, 0.99, 2.0000000000000889e-100),  // Ruben-Gambino high
        (50, 1.0, 0.0),  // above support
        (50, 1.2, 0.0),  // above support
        (100, 0.0, 1.0),  // below support
        (100, 0.004, 1.0),  // below support
        (100, 0.005, 1.0),  // below support
        (100, 0.0075, 1.0),  // Ruben-Gambino low (product)
        (100, 0.009899999999999999, 1.0),  // Ruben-Gambino low (product)
        (100, 0.01, 1.0),  // Ruben-Gambino low (product)
        (100, 0.013000000000000001, 1.0),  // Durbin matrix (n <= 140)
        (100, 0.01414213562373095, 1.0),  // Durbin matrix (n <= 140)
        (100, 0.025, 0.9999997992780816),  // Durbin matrix (n <= 140)
        (100, 0.03162277660168379, 0.9999029868846491),  // Durbin matrix (n <= 140)
        (100, 0.05477225575051661, 0.9088773735543619),  // Durbin matrix (n <= 140)
        (100, 0.05692610018892431, 0.8836761788685081),  // Durbin matrix (n <= 140)
        (100, 0.059249614482349784, 0.8533171922862038),  // Durbin matrix (n <= 140)
        (100, 0.07071067811865475, 0.6726900744671805),  // Durbin matrix (n <= 140)
        (100, 0.08683317338436963, 0.41440725997673067),  // Durbin matrix (n <= 140)
        (100, 0.08689073598491384, 0.4135852695007685),  // Pomeranz
        (100, 0.1, 0.2526927570063874),  // Pomeranz
        (100, 0.1224744871391589, 0.09142504640844418),  // Pomeranz
        (100, 0.14798648586948743, 0.022420205125516745),  // Pomeranz
        (100, 0.14866068747318506, 0.02152461969026194),  // Pomeranz
        (100, 0.17320508075688773, 0.004294704725892679),  // Pomeranz
        (100, 0.1997498435543818, 0.0005666878102346185),  // Pomeranz
        (100, 0.2, 0.0005551927327988775),  // Pomeranz
        (100, 0.20024984394500786, 0.0005439304249314641),  // 2 smirnov (n <= 140)
        (100, 0.2449489742783178, 9.067751147174842e-06),  // 2 smirnov (n <= 140)
        (100, 0.3, 1.7719869892662917e-08),  // 2 smirnov (n <= 140)
        (100, 0.31622776601683794, 2.1735878868482512e-09),  // 2 smirnov (n <= 140)
        (100, 0.4230839160261236, 9.469650354591778e-17),  // 2 smirnov (n <= 140)
        (100, 0.425440947723653, 6.109239518615595e-17),  // 2 smirnov (n <= 140)
        (100, 0.45, 5.324995419657099e-19),  // 2 smirnov (n <= 140)
        (100, 0.49, 1.154540260465695e-22),  // 2 smirnov (n <= 140)
        (100, 0.5, 1.2131434371817858e-23),  // 2 smirnov (x >= 1/2)
        (100, 0.7, 1.2211404981217991e-49),  // 2 smirnov (x >= 1/2)
        (100, 0.7071067811865476, 7.602646788480359e-51),  // 2 smirnov (x >= 1/2)
        (100, 0.95, 1.5777225737377353e-130),  // 2 smirnov (x >= 1/2)
        (100, 0.985, 8.131223550705027e-183),  // 2 smirnov (x >= 1/2)
        (100, 0.99, 2.0000000000001775e-200),  // Ruben-Gambino high
        (100, 0.995, 1.5777218104421636e-230),  // Ruben-Gambino high
        (100, 1.0, 0.0),  // above support
        (100, 1.2, 0.0),  // above support
        (139, 0.0, 1.0),  // below support
        (139, 0.0028776978417266188, 1.0),  // below support
        (139, 0.0035971223021582736, 1.0),  // below support
        (139, 0.00539568345323741, 1.0),  // Ruben-Gambino low (product)
        (139, 0.007122302158273381, 1.0),  // Ruben-Gambino low (product)
        (139, 0.007194244604316547, 1.0),  // Ruben-Gambino low (product)
        (139, 0.009352517985611512, 1.0),  // Durbin matrix (n <= 140)
        (139, 0.011995202878081344, 1.0),  // Durbin matrix (n <= 140)
        (139, 0.017985611510791366, 0.9999999997595259),  // Durbin matrix (n <= 140)
        (139, 0.026822089039291005, 0.9999148884136813),  // Durbin matrix (n <= 140)
        (139, 0.04570547561872245, 0.9206244495802376),  // Durbin matrix (n <= 140)
        (139, 0.04645722098118832, 0.9112966243011322),  // Durbin matrix (n <= 140)
        (139, 0.04757100523581317, 0.8964927280574818),  // Durbin matrix (n <= 140)
        (139, 0.059976014390406715, 0.6765905795777125),  // Durbin matrix (n <= 140)
        (139, 0.07365093639360383, 0.41785043250010984),  // Durbin matrix (n <= 140)
        (139, 0.073699760354149, 0.417024981716035),  // Pomeranz
        (139, 0.08481889296799709, 0.25525343218031277),  // Pomeranz
        (139, 0.10388150415966656, 0.09266295340553686),  // Pomeranz
        (139, 0.12552049905674068, 0.022839107062483384),  // Pomeranz
        (139, 0.1260923493933695, 0.021930270790361507),  // Pomeranz
        (139, 0.14691063206231753, 0.00440602905557924),  // Pomeranz
        (139, 0.16942560600813272, 0.0005876010403577254),  // Pomeranz
        (139, 0.16984970080429743, 0.0005641388640080749),  // 2 smirnov (n <= 140)
        (139, 0.2, 2.3829672649172915e-05),  // 2 smirnov (n <= 140)
        (139, 0.20776300831933311, 9.681404429962412e-06),  // 2 smirnov (n <= 140)
        (139, 0.26822089039291, 2.54561951214323e-09),  // 2 smirnov (n <= 140)
        (139, 0.3, 1.3664292848318286e-11),  // 2 smirnov (n <= 140)
        (139, 0.35885509389900844, 1.561434985057283e-16),  // 2 smirnov (n <= 140)
        (139, 0.3608543020917577, 1.0193012095748438e-16),  // 2 smirnov (n <= 140)
        (139, 0.45, 3.30300333139218e-26),  // 2 smirnov (n <= 140)
        (139, 0.49, 2.6780432120821794e-31),  // 2 smirnov (n <= 140)
        (139, 0.5, 1.1697343324885152e-32),  // 2 smirnov (x >= 1/2)
        (139, 0.5997601439040672, 2.4505088458075047e-48),  // 2 smirnov (x >= 1/2)
        (139, 0.7, 8.555360969310664e-69),  // 2 smirnov (x >= 1/2)
        (139, 0.95, 2.8698629623187883e-181),  // 2 smirnov (x >= 1/2)
        (139, 0.9892086330935251, 7.918770729021451e-274),  // 2 smirnov (x >= 1/2)
        (139, 0.9928057553956835, 2.6422430263484268e-298),  // Ruben-Gambino high
        (139, 0.9964028776978417, 0.0),  // Ruben-Gambino high
        (139, 1.0, 0.0),  // above support
        (139, 1.1995202878081344, 0.0),  // above support
        (139, 1.2, 0.0),  // above support
        (140, 0.0, 1.0),  // below support
        (140, 0.002857142857142857, 1.0),  // below support
        (140, 0.0035714285714285713, 1.0),  // below support
        (140, 0.005357142857142857, 1.0),  // Ruben-Gambino low (product)
        (140, 0.007071428571428571, 1.0),  // Ruben-Gambino low (product)
        (140, 0.007142857142857143, 1.0),  // Ruben-Gambino low (product)
        (140, 0.009285714285714286, 1.0),  // Durbin matrix (n <= 140)
        (140, 0.011952286093343936, 1.0),  // Durbin matrix (n <= 140)
        (140, 0.017857142857142856, 0.9999999997977534),  // Durbin matrix (n <= 140)
        (140, 0.02672612419124244, 0.999915118235135),  // Durbin matrix (n <= 140)
        (140, 0.045487570569405236, 0.921325661470219),  // Durbin matrix (n <= 140)
        (140, 0.04629100498862757, 0.9113451622901063),  // Durbin matrix (n <= 140)
        (140, 0.04734420610285035, 0.8973277718272548),  // Durbin matrix (n <= 140)
        (140, 0.05976143046671968, 0.6766690855918173),  // Durbin matrix (n <= 140)
        (140, 0.07338742593737899, 0.41791968941960744),  // Durbin matrix (n <= 140)
        (140, 0.07343607521414215, 0.41709416862788695),  // Pomeranz
        (140, 0.08451542547285165, 0.25530484459737574),  // Pomeranz
        (140, 0.10350983390135313, 0.0926876844720777),  // Pomeranz
        (140, 0.1250714081749188, 0.02284741240558603),  // Pomeranz
        (140, 0.12564121252882862, 0.021938311678366153),  // Pomeranz
        (140, 0.14638501094227999, 0.004408218636137252),  // Pomeranz
        (140, 0.16881943016134132, 0.000588009511647518),  // Pomeranz
        (140, 0.16924200761884486, 0.000564533527657973),  // 2 smirnov (n <= 140)
        (140, 0.2, 2.1981563302200222e-05),  // 2 smirnov (n <= 140)
        (140, 0.20701966780270625, 9.69334076426069e-06),  // 2 smirnov (n <= 140)
        (140, 0.2672612419124244, 2.5530277336990535e-09),  // 2 smirnov (n <= 140)
        (140, 0.3, 1.1370251710737309e-11),  // 2 smirnov (n <= 140)
        (140, 0.35757117173668074, 1.575485161682116e-16),  // 2 smirnov (n <= 140)
        (140, 0.3595632271043777, 1.0286851771553386e-16),  // 2 smirnov (n <= 140)
        (140, 0.45, 2.1582605458449104e-26),  // 2 smirnov (n <= 140)
        (140, 0.49, 1.6084888917534052e-31),  // 2 smirnov (n <= 140)
        (140, 0.5, 6.869300438276986e-33),  // 2 smirnov (x >= 1/2)
        (140, 0.5976143046671968, 2.6877471160399065e-48),  // 2 smirnov (x >= 1/2)
        (140, 0.7, 2.7611948816463573e-69),  // 2 smirnov (x >= 1/2)
        (140, 0.95, 1.4349315159318279e-182),  // 2 smirnov (x >= 1/2)
        (140, 0.9892857142857143, 3.132429234392794e-276),  // 2 smirnov (x >= 1/2)
        (140, 0.9928571428571429, 6.967949600041781e-301),  // Ruben-Gambino high
        (140, 0.9964285714285714, 0.0),  // Ruben-Gambino high
        (140, 1.0, 0.0),  // above support
        (140, 1.1952286093343936, 0.0),  // above support
        (140, 1.2, 0.0),  // above support
        (141, 0.0, 1.0),  // below support
        (141, 0.0028368794326241137, 1.0),  // below support
        (141, 0.0035460992907801418, 1.0),  // below support
        (141, 0.005319148936170213, 1.0),  // Ruben-Gambino low (Stirling)
        (141, 0.007021276595744681, 1.0),  // Ruben-Gambino low (Stirling)
        (141, 0.0070921985815602835, 1.0),  // Ruben-Gambino low (Stirling)
        (141, 0.00921985815602837, 1.0),  // Durbin matrix
        (141, 0.011909826683508273, 1.0),  // Durbin matrix
        (141, 0.01773049645390071, 0.9999999998299083),  // Durbin matrix
        (141, 0.026631182064565374, 0.9999153452686248),  // Durbin matrix
        (141, 0.04527224428775651, 0.9220176432574735),  // Durbin matrix
        (141, 0.04612656040144426, 0.9113931894286869),  // Durbin matrix
        (141, 0.04712009099337922, 0.898155528055111),  // Pelz-Good
        (141, 0.05954913341754137, 0.6767464134039389),  // Pelz-Good
        (141, 0.07312672377794902, 0.4179863698912213),  // Pelz-Good
        (141, 0.0731752002325789, 0.41716078054579975),  // Pelz-Good
        (141, 0.08421519210665189, 0.2553544927215675),  // Pelz-Good
        (141, 0.10314212462587934, 0.09271228597421333),  // Pelz-Good
        (141, 0.12462710336687209, 0.022856171861029395),  // Pelz-Good
        (141, 0.12519488354261218, 0.02194628834970714),  // 2 smirnov
        (141, 0.14586499149789456, 0.0044103835122001585),  // 2 smirnov
        (141, 0.16821971448205925, 0.0005884132493204616),  // 2 smirnov
        (141, 0.168640790771559, 0.0005649236158980493),  // 2 smirnov
        (141, 0.2, 2.0276784223976912e-05),  // 2 smirnov
        (141, 0.20628424925175867, 9.705136186180076e-06),  // 2 smirnov
        (141, 0.26631182064565373, 2.560354084896187e-09),  // 2 smirnov
        (141, 0.3, 9.46134771413843e-12),  // 2 smirnov
        (141, 0.35630093265374574, 1.5894499129756505e-16),  // 2 smirnov
        (141, 0.3582859114258348, 1.0380138059323948e-16),  // 2 smirnov
        (141, 0.45, 1.4102585470400696e-26),  // 2 smirnov
        (141, 0.49, 9.660921675174912e-32),  // 2 smirnov
        (141, 0.5, 4.034017661079683e-33),  // 2 smirnov (x >= 1/2)
        (141, 0.5954913341754137, 2.94294935910405e-48),  // 2 smirnov (x >= 1/2)
        (141, 0.7, 8.911602304669148e-70),  // 2 smirnov (x >= 1/2)
        (141, 0.95, 7.174657754560657e-184),  // 2 smirnov (x >= 1/2)
        (141, 0.9893617021276596, 1.2302762440585609e-278),  // 2 smirnov (x >= 1/2)
        (141, 0.9929078014184397, 1.8244632139623947e-303),  // Ruben-Gambino high
        (141, 0.9964539007092199, 0.0),  // Ruben-Gambino high
        (141, 1.0, 0.0),  // above support
        (141, 1.1909826683508273, 0.0),  // above support
        (141, 1.2, 0.0),  // above support
        (200, 0.0, 1.0),  // below support
        (200, 0.002, 1.0),  // below support
        (200, 0.0025, 1.0),  // below support
        (200, 0.00375, 1.0),  // Ruben-Gambino low (Stirling)
        (200, 0.0049499999999999995, 1.0),  // Ruben-Gambino low (Stirling)
        (200, 0.005, 1.0),  // Ruben-Gambino low (Stirling)
        (200, 0.006500000000000001, 1.0),  // Durbin matrix
        (200, 0.01, 1.0),  // Durbin matrix
        (200, 0.0125, 0.999999999999994),  // Durbin matrix
        (200, 0.022360679774997897, 0.9999251822504823),  // Durbin matrix
        (200, 0.03586119595822512, 0.951007650822228),  // Durbin matrix
        (200, 0.037324918242234315, 0.9333929907574151),  // Pelz-Good
        (200, 0.03872983346207417, 0.9135616687918771),  // Pelz-Good
        (200, 0.05, 0.6802625495871704),  // Pelz-Good
        (200, 0.06140032573203501, 0.42108736054902784),  // Pelz-Good
        (200, 0.06144102863722254, 0.42025862063816977),  // Pelz-Good
        (200, 0.07071067811865475, 0.2576525636322208),  // Pelz-Good
        (200, 0.08660254037844387, 0.09381223747422918),  // Pelz-Good
        (200, 0.10464224768228175, 0.023222620830269047),  // Pelz-Good
        (200, 0.10511898020814318, 0.0223012603992823),  // 2 smirnov
        (200, 0.1224744871391589, 0.004506293860968316),  // 2 smirnov
        (200, 0.14124446891825534, 0.0006061721517235794),  // 2 smirnov
        (200, 0.14159802258506296, 0.0005820801286761735),  // 2 smirnov
        (200, 0.17320508075688773, 1.0220735907619873e-05),  // 2 smirnov
        (200, 0.2, 1.7317874617308334e-07),  // 2 smirnov
        (200, 0.22360679774997896, 2.8851922736717596e-09),  // 2 smirnov
        (200, 0.2991655060330318, 2.2777369388066877e-16),  // 2 smirnov
        (200, 0.3, 1.8482195753126875e-16),  // 2 smirnov
        (200, 0.30083217912982646, 1.4996218625032373e-16),  // 2 smirnov
        (200, 0.45, 1.7611929039602656e-37),  // 2 smirnov
        (200, 0.49, 8.364875039956834e-45),  // 2 smirnov
        (200, 0.5, 9.256385411205685e-47),  // 2 smirnov (x >= 1/2)
        (200, 0.7, 9.389465176622686e-99),  // 2 smirnov (x >= 1/2)
        (200, 0.95, 1.244606763010531e-260),  // 2 smirnov (x >= 1/2)
        (200, 0.9925, 0.0),  // 2 smirnov (x >= 1/2)
        (200, 0.995, 0.0),  // Ruben-Gambino high
        (200, 0.9975, 0.0),  // Ruben-Gambino high
        (200, 1.0, 0.0),  // above support
        (200, 1.2, 0.0),  // above support
        (499, 0.0, 1.0),  // below support
        (499, 0.0008016032064128256, 1.0),  // below support
        (499, 0.001002004008016032, 1.0),  // below support
        (499, 0.001503006012024048, 1.0),  // Ruben-Gambino low (Stirling)
        (499, 0.0019839679358717435, 1.0),  // Ruben-Gambino low (Stirling)
        (499, 0.002004008016032064, 1.0),  // Ruben-Gambino low (Stirling)
        (499, 0.0026052104208416833, 1.0),  // Durbin matrix
        (499, 0.00501002004008016, 1.0),  // Durbin matrix
        (499, 0.006330889378329184, 1.0),  // Durbin matrix
        (499, 0.014156299007975439, 0.9999420983149637),  // Durbin matrix
        (499, 0.01949445368906457, 0.9895675711300723),  // Durbin matrix
        (499, 0.020290145676373328, 0.9838384816294516),  // Pelz-Good
        (499, 0.024519429128950356, 0.9177574861596686),  // Pelz-Good
        (499, 0.03165444689164592, 0.6871365030745271),  // Pelz-Good
        (499, 0.03887186700028925, 0.42714155562252754),  // Pelz-Good
        (499, 0.03889763555930114, 0.4263065793991374),  // Pelz-Good
        (499, 0.04476614810358452, 0.2621191639309963),  // Pelz-Good
        (499, 0.054827110301821455, 0.09592323586889218),  // Pelz-Good
        (499, 0.06624784943762492, 0.023911513490232572),  // Pelz-Good
        (499, 0.06654966352605295, 0.022967888183842346),  // 2 smirnov
        (499, 0.07753724297456153, 0.004682179625853157),  // 2 smirnov
        (499, 0.08942031080223294, 0.0006379349833679277),  // 2 smirnov
        (499, 0.0896441417176191, 0.0006127521888442705),  // 2 smirnov
        (499, 0.10965422060364291, 1.1116187615508256e-05),  // 2 smirnov
        (499, 0.1415629900797544, 3.45712794681724e-09),  // 2 smirnov
        (499, 0.18939837245069965, 3.7891440727764557e-16),  // 2 smirnov
        (499, 0.1904535247512641, 2.5218539963159037e-16),  // 2 smirnov
        (499, 0.2, 5.698802039726751e-18),  // 2 smirnov
        (499, 0.3, 2.520905899335033e-40),  // 2 smirnov
        (499, 0.3165444689164592, 5.955567335297651e-45),  // 2 smirnov
        (499, 0.45, 9.754854365939873e-93),  // 2 smirnov
        (499, 0.49, 5.2986578830203275e-111),  // 2 smirnov
        (499, 0.5, 7.004261747922426e-116),  // 2 smirnov (x >= 1/2)
        (499, 0.6330889378329184, 2.013254899337689e-194),  // 2 smirnov (x >= 1/2)
        (499, 0.7, 1.3233314246957959e-245),  // 2 smirnov (x >= 1/2)
        (499, 0.8599296238157118, 0.0),  // 2 smirnov (x >= 1/2)
        (499, 0.8622569071616044, 0.0),  // 2 smirnov (x >= 1/2)
        (499, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (499, 0.996993987975952, 0.0),  // 2 smirnov (x >= 1/2)
        (499, 0.9979959919839679, 0.0),  // Ruben-Gambino high
        (499, 0.998997995991984, 0.0),  // Ruben-Gambino high
        (499, 1.0, 0.0),  // above support
        (499, 1.2, 0.0),  // above support
        (1000, 0.0, 1.0),  // below support
        (1000, 0.0004, 1.0),  // below support
        (1000, 0.0005, 1.0),  // below support
        (1000, 0.00075, 1.0),  // Ruben-Gambino low (Stirling)
        (1000, 0.00099, 1.0),  // Ruben-Gambino low (Stirling)
        (1000, 0.001, 1.0),  // Ruben-Gambino low (Stirling)
        (1000, 0.0013, 1.0),  // Durbin matrix
        (1000, 0.0025, 1.0),  // Durbin matrix
        (1000, 0.00447213595499958, 1.0),  // Durbin matrix
        (1000, 0.01, 0.9999496745370611),  // Durbin matrix
        (1000, 0.01226435650152491, 0.9978394883869515),  // Durbin matrix
        (1000, 0.012764942481178989, 0.9961886348590733),  // Pelz-Good
        (1000, 0.017320508075688773, 0.9198987616045818),  // Pelz-Good
        (1000, 0.022360679774997897, 0.6906794241103489),  // Pelz-Good
        (1000, 0.027459060435491962, 0.43025901431195623),  // Pelz-Good
        (1000, 0.02747726332806817, 0.4294207859140191),  // Pelz-Good
        (1000, 0.03162277660168379, 0.2644092421903177),  // Pelz-Good
        (1000, 0.03872983346207417, 0.09699185507221142),  // Pelz-Good
        (1000, 0.04679743582719036, 0.02425263622670426),  // Pelz-Good
        (1000, 0.047010637094172636, 0.02329768299371198),  // 2 smirnov
        (1000, 0.05477225575051661, 0.004766852502767219),  // 2 smirnov
        (1000, 0.06316644678941503, 0.0006527438774442498),  // 2 smirnov
        (1000, 0.06332456079595025, 0.0006270439394625672),  // 2 smirnov
        (1000, 0.07745966692414834, 1.1513838309740271e-05),  // 2 smirnov
        (1000, 0.1, 3.703687096817711e-09),  // 2 smirnov
        (1000, 0.13379088160259653, 4.522548424471655e-16),  // 2 smirnov
        (1000, 0.13453624047073712, 3.0204753291941777e-16),  // 2 smirnov
        (1000, 0.2, 1.5528629204250538e-35),  // 2 smirnov
        (1000, 0.22360679774997896, 2.0887081584913225e-44),  // 2 smirnov
        (1000, 0.3, 2.590715705736845e-80),  // 2 smirnov
        (1000, 0.4472135954999579, 6.409902366334369e-183),  // 2 smirnov
        (1000, 0.45, 2.524336024487931e-185),  // 2 smirnov
        (1000, 0.49, 6.358163602874007e-222),  // 2 smirnov
        (1000, 0.5, 1.064517291557782e-231),  // 2 smirnov (x >= 1/2)
        (1000, 0.6074537019394977, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.6090976933136424, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.8944271909999159, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.9985, 0.0),  // 2 smirnov (x >= 1/2)
        (1000, 0.999, 0.0),  // Ruben-Gambino high
        (1000, 0.9995, 0.0),  // Ruben-Gambino high
        (1000, 1.0, 0.0),  // above support
        (1000, 1.2, 0.0),  // above support
        (5000, 0.0, 1.0),  // below support
        (5000, 8e-05, 1.0),  // below support
        (5000, 0.0001, 1.0),  // below support
        (5000, 0.00015, 1.0),  // Ruben-Gambino low (Stirling)
        (5000, 0.000198, 1.0),  // Ruben-Gambino low (Stirling)
        (5000, 0.0002, 1.0),  // Ruben-Gambino low (Stirling)
        (5000, 0.00026000000000000003, 1.0),  // Durbin matrix
        (5000, 0.0005, 1.0),  // Durbin matrix
        (5000, 0.002, 1.0),  // Durbin matrix
        (5000, 0.004194350923815112, 0.9999915600726801),  // Durbin matrix
        (5000, 0.004365548920705526, 0.9999767218455211),  // Pelz-Good
        (5000, 0.00447213595499958, 0.9999587323375856),  // Pelz-Good
        (5000, 0.007745966692414834, 0.9227605219738172),  // Pelz-Good
        (5000, 0.01, 0.6954557253913853),  // Pelz-Good
        (5000, 0.012280065146407, 0.4344599264125887),  // Pelz-Good
        (5000, 0.012288205727444507, 0.43361727498238734),  // Pelz-Good
        (5000, 0.01414213562373095, 0.2674850951575305),  // Pelz-Good
        (5000, 0.017320508075688773, 0.0984126180778756),  // Pelz-Good
        (5000, 0.02092844953645635, 0.02469782007976018),  // Pelz-Good
        (5000, 0.02102379604162864, 0.023727796369199177),  // 2 smirnov
        (5000, 0.02449489742783178, 0.004874591385988299),  // 2 smirnov
        (5000, 0.028248893783651068, 0.0006709937857491294),  // 2 smirnov
        (5000, 0.02831960451701259, 0.0006446453031984901),  // 2 smirnov
        (5000, 0.034641016151377546, 1.1975788929862248e-05),  // 2 smirnov
        (5000, 0.044721359549995794, 3.969228922108174e-09),  // 2 smirnov
        (5000, 0.059833101206606364, 5.299614336967644e-16),  // 2 smirnov
        (5000, 0.0601664358259653, 3.549430144295126e-16),  // 2 smirnov
        (5000, 0.1, 5.590495886396459e-44),  // 2 smirnov
        (5000, 0.2, 9.004289573855005e-176),  // 2 smirnov
        (5000, 0.2716615541441225, 0.0),  // 2 smirnov
        (5000, 0.2723967694375247, 0.0),  // zero (n x^2 >= 370)
        (5000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (5000, 0.4, 0.0),  // zero (n x^2 >= 370)
        (5000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (5000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (5000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (5000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (5000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (5000, 0.9997, 0.0),  // 2 smirnov (x >= 1/2)
        (5000, 0.9998, 0.0),  // Ruben-Gambino high
        (5000, 0.9999, 0.0),  // Ruben-Gambino high
        (5000, 1.0, 0.0),  // above support
        (5000, 1.2, 0.0),  // above support
        (10000, 0.0, 1.0),  // below support
        (10000, 4e-05, 1.0),  // below support
        (10000, 5e-05, 1.0),  // below support
        (10000, 7.5e-05, 1.0),  // Ruben-Gambino low (Stirling)
        (10000, 9.9e-05, 1.0),  // Ruben-Gambino low (Stirling)
        (10000, 0.0001, 1.0),  // Ruben-Gambino low (Stirling)
        (10000, 0.00013000000000000002, 1.0),  // Durbin matrix
        (10000, 0.00025, 1.0),  // Durbin matrix
        (10000, 0.001414213562373095, 1.0),  // Durbin matrix
        (10000, 0.002642275509780334, 0.9999997519223734),  // Durbin matrix
        (10000, 0.002750123489771368, 0.9999990946435576),  // Pelz-Good
        (10000, 0.0031622776601683794, 0.9999607115104088),  // Pelz-Good
        (10000, 0.005477225575051661, 0.9234406974960111),  // Pelz-Good
        (10000, 0.007071067811865475, 0.696598352749397),  // Pelz-Good
        (10000, 0.008683317338436964, 0.43546472927591373),  // Pelz-Good
        (10000, 0.008689073598491383, 0.4346210133573519),  // Pelz-Good
        (10000, 0.01, 0.2682191277029192),  // Pelz-Good
        (10000, 0.01224744871391589, 0.09874922750542059),  // Pelz-Good
        (10000, 0.01479864858694874, 0.02480185341416996),  // Pelz-Good
        (10000, 0.014866068747318505, 0.023828260786380936),  // 2 smirnov
        (10000, 0.017320508075688773, 0.004899277640784523),  // 2 smirnov
        (10000, 0.01997498435543818, 0.0006750651449136234),  // 2 smirnov
        (10000, 0.020024984394500785, 0.000648569797579085),  // 2 smirnov
        (10000, 0.02449489742783178, 1.2073235892662459e-05),  // 2 smirnov
        (10000, 0.03162277660168379, 4.020163234649698e-09),  // 2 smirnov
        (10000, 0.04230839160261236, 5.434836693699654e-16),  // 2 smirnov
        (10000, 0.042544094772365294, 3.641371922566854e-16),  // 2 smirnov
        (10000, 0.07071067811865475, 6.36297497911746e-44),  // 2 smirnov
        (10000, 0.1414213562373095, 5.827814156995109e-175),  // 2 smirnov
        (10000, 0.19209372712298547, 0.0),  // 2 smirnov
        (10000, 0.19261360284258222, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.2, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.282842712474619, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (10000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (10000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (10000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (10000, 0.99985, 0.0),  // 2 smirnov (x >= 1/2)
        (10000, 0.9999, 0.0),  // Ruben-Gambino high
        (10000, 0.99995, 0.0),  // Ruben-Gambino high
        (10000, 1.0, 0.0),  // above support
        (10000, 1.2, 0.0),  // above support
        (99999, 0.0, 1.0),  // below support
        (99999, 4.000040000400005e-06, 1.0),  // below support
        (99999, 5.000050000500005e-06, 1.0),  // below support
        (99999, 7.500075000750007e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (99999, 9.90009900099001e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (99999, 1.000010000100001e-05, 1.0),  // Ruben-Gambino low (Stirling)
        (99999, 1.3000130001300014e-05, 1.0),  // Durbin matrix
        (99999, 2.5000250002500026e-05, 1.0),  // Durbin matrix
        (99999, 0.0004472158315847061, 1.0),  // Durbin matrix
        (99999, 0.000569264796994215, 0.9999999999999994),  // Durbin matrix
        (99999, 0.0005925000948307136, 0.9999999999999911),  // Pelz-Good
        (99999, 0.0010000050000375004, 0.9999638407869641),  // Pelz-Good
        (99999, 0.0017320594678878675, 0.9245650658414496),  // Pelz-Good
        (99999, 0.0022360791579235303, 0.6984937415403344),  // Pelz-Good
        (99999, 0.002745919773182386, 0.43713143489477435),  // Pelz-Good
        (99999, 0.0027477400715415217, 0.43628594792271047),  // Pelz-Good
        (99999, 0.0031622934716752666, 0.2694353096439789),  // Pelz-Good
        (99999, 0.003873002711269386, 0.09930487512125352),  // Pelz-Good
        (99999, 0.004679766981612442, 0.024972346377175936),  // Pelz-Good
        (99999, 0.004701087214912102, 0.0239928650813932),  // 2 smirnov
        (99999, 0.005477252961384934, 0.004939303154543957),  // 2 smirnov
        (99999, 0.006316676262401773, 0.000681566310786691),  // 2 smirnov
        (99999, 0.006332487742112892, 0.0006548344031153946),  // 2 smirnov
        (99999, 0.007746005422538772, 1.2223499677987066e-05),  // 2 smirnov
        (99999, 0.010000050000375004, 4.093277870717863e-09),  // 2 smirnov
        (99999, 0.013379155056202173, 5.608280099424757e-16),  // 2 smirnov
        (99999, 0.01345369131569846, 3.7590387742071824e-16),  // 2 smirnov
        (99999, 0.022360791579235303, 7.250640315857153e-44),  // 2 smirnov
        (99999, 0.04472158315847061, 3.1144116513182974e-174),  // 2 smirnov
        (99999, 0.0607456739230787, Double(bitPattern: 0x0000_0000_0000_0278)),  // 2 smirnov
        (99999, 0.06091007388249504, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.08944316631694121, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.2, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.3, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.45, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.49, 0.0),  // zero (n x^2 >= 370)
        (99999, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (99999, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (99999, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (99999, 0.9999849998499984, 0.0),  // 2 smirnov (x >= 1/2)
        (99999, 0.999989999899999, 0.0),  // Ruben-Gambino high
        (99999, 0.9999949999499995, 0.0),  // Ruben-Gambino high
        (99999, 1.0, 0.0),  // above support
        (99999, 1.2, 0.0),  // above support
        (100000, 0.0, 1.0),  // below support
        (100000, 4e-06, 1.0),  // below support
        (100000, 5e-06, 1.0),  // below support
        (100000, 7.5e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (100000, 9.9e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (100000, 1e-05, 1.0),  // Ruben-Gambino low (Stirling)
        (100000, 1.3000000000000001e-05, 1.0),  // Durbin matrix
        (100000, 2.5e-05, 1.0),  // Durbin matrix
        (100000, 0.00044721359549995795, 1.0),  // Durbin matrix
        (100000, 0.0005692610018892433, 0.9999999999999994),  // Durbin matrix
        (100000, 0.0005924961448234981, 0.9999999999999911),  // Pelz-Good
        (100000, 0.001, 0.9999638407940036),  // Pelz-Good
        (100000, 0.0017320508075688774, 0.9245650684435813),  // Pelz-Good
        (100000, 0.00223606797749979, 0.698493745936485),  // Pelz-Good
        (100000, 0.002745906043549196, 0.43713143876048033),  // Pelz-Good
        (100000, 0.002747726332806817, 0.4362859517843011),  // Pelz-Good
        (100000, 0.0031622776601683794, 0.269435312462768),  // Pelz-Good
        (100000, 0.003872983346207417, 0.09930487640612184),  // Pelz-Good
        (100000, 0.004679743582719036, 0.02497234676962312),  // Pelz-Good
        (100000, 0.004701063709417263, 0.02399286546022756),  // 2 smirnov
        (100000, 0.005477225575051661, 0.0049393032460430366),  // 2 smirnov
        (100000, 0.006316644678941503, 0.0006815663254994108),  // 2 smirnov
        (100000, 0.006332456079595025, 0.0006548344172896547),  // 2 smirnov
        (100000, 0.007745966692414834, 1.2223500009915231e-05),  // 2 smirnov
        (100000, 0.01, 4.093278023549254e-09),  // 2 smirnov
        (100000, 0.013379088160259652, 5.608280424999269e-16),  // 2 smirnov
        (100000, 0.01345362404707371, 3.7590389945329227e-16),  // 2 smirnov
        (100000, 0.022360679774997897, 7.250641646494841e-44),  // 2 smirnov
        (100000, 0.044721359549995794, 3.1144176373657945e-174),  // 2 smirnov
        (100000, 0.06074537019394976, Double(bitPattern: 0x0000_0000_0000_0278)),  // 2 smirnov
        (100000, 0.060909769331364244, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.08944271909999159, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.2, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (100000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (100000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (100000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (100000, 0.999985, 0.0),  // 2 smirnov (x >= 1/2)
        (100000, 0.99999, 0.0),  // Ruben-Gambino high
        (100000, 0.999995, 0.0),  // Ruben-Gambino high
        (100000, 1.0, 0.0),  // above support
        (100000, 1.2, 0.0),  // above support
        (100001, 0.0, 1.0),  // below support
        (100001, 3.9999600003999965e-06, 1.0),  // below support
        (100001, 4.999950000499995e-06, 1.0),  // below support
        (100001, 7.499925000749993e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (100001, 9.89990100098999e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (100001, 9.99990000099999e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (100001, 1.2999870001299987e-05, 1.0),  // Pelz-Good
        (100001, 2.4999750002499974e-05, 1.0),  // Pelz-Good
        (100001, 0.0004472113594487508, 1.0),  // Pelz-Good
        (100001, 0.0005692572068475226, 0.9999999999999994),  // Pelz-Good
        (100001, 0.0005924921948821153, 0.9999999999999911),  // Pelz-Good
        (100001, 0.0009999950000374998, 0.999963840801043),  // Pelz-Good
        (100001, 0.0017320421473797907, 0.9245650710456744),  // Pelz-Good
        (100001, 0.0022360567972437542, 0.6984937503325701),  // Pelz-Good
        (100001, 0.002745892314121949, 0.4371314426261286),  // Pelz-Good
        (100001, 0.002747712594278192, 0.43628595564583394),  // Pelz-Good
        (100001, 0.003162261848898663, 0.26943531528151443),  // Pelz-Good
        (100001, 0.0038729639814359213, 0.09930487769097118),  // Pelz-Good
        (100001, 0.0046797201841766115, 0.0249723471620642),  // Pelz-Good
        (100001, 0.004701040204275005, 0.02399286583905618),  // 2 smirnov
        (100001, 0.00547719818912918, 0.004939303337540746),  // 2 smirnov
        (100001, 0.0063166130959549805, 0.0006815663402119079),  // 2 smirnov
        (100001, 0.006332424417552092, 0.0006548344314637006),  // 2 smirnov
        (100001, 0.007745927962871843, 1.222350034183837e-05),  // 2 smirnov
        (100001, 0.009999950000374997, 4.093278176378263e-09),  // 2 smirnov
        (100001, 0.013379021265320562, 5.608280750568536e-16),  // 2 smirnov
        (100001, 0.013453556779457983, 3.759039214855093e-16),  // 2 smirnov
        (100001, 0.02236056797243754, 7.250642977108866e-44),  // 2 smirnov
        (100001, 0.04472113594487508, 3.1144236233072894e-174),  // 2 smirnov
        (100001, 0.060745066469376725, Double(bitPattern: 0x0000_0000_0000_0278)),  // 2 smirnov
        (100001, 0.060909464784801685, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.08944227188975017, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.2, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.3, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.45, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.49, 0.0),  // zero (n x^2 >= 370)
        (100001, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (100001, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (100001, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (100001, 0.9999850001499985, 0.0),  // 2 smirnov (x >= 1/2)
        (100001, 0.999990000099999, 0.0),  // Ruben-Gambino high
        (100001, 0.9999950000499995, 0.0),  // Ruben-Gambino high
        (100001, 1.0, 0.0),  // above support
        (100001, 1.2, 0.0),  // above support
        (500000, 0.0, 1.0),  // below support
        (500000, 8.000000000000001e-07, 1.0),  // below support
        (500000, 1e-06, 1.0),  // below support
        (500000, 1.5e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (500000, 1.98e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (500000, 2e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (500000, 2.6e-06, 1.0),  // Pelz-Good
        (500000, 5e-06, 1.0),  // Pelz-Good
        (500000, 0.00019468452412233677, 1.0),  // Pelz-Good
        (500000, 0.0002, 1.0),  // Pelz-Good
        (500000, 0.0002026308312293709, 1.0),  // Pelz-Good
        (500000, 0.0007745966692414833, 0.9248528093516524),  // Pelz-Good
        (500000, 0.001414213562373095, 0.26974713261886973),  // Pelz-Good
        (500000, 0.002092844953645635, 0.025015683162821767),  // Pelz-Good
        (500000, 0.002102379604162864, 0.02403469699664026),  // 2 smirnov
        (500000, 0.00447213595499958, 4.109706332756987e-09),  // 2 smirnov
        (500000, 0.027239676943752473, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.04, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.2, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (500000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (500000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (500000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (500000, 0.999997, 0.0),  // 2 smirnov (x >= 1/2)
        (500000, 0.999998, 0.0),  // Ruben-Gambino high
        (500000, 0.999999, 0.0),  // Ruben-Gambino high
        (500000, 1.0, 0.0),  // above support
        (500000, 1.2, 0.0),  // above support
        (1_000_000, 0.0, 1.0),  // below support
        (1_000_000, 4.0000000000000003e-07, 1.0),  // below support
        (1_000_000, 5e-07, 1.0),  // below support
        (1_000_000, 7.5e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_000, 9.9e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_000, 1e-06, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_000, 1.3e-06, 1.0),  // Pelz-Good
        (1_000_000, 2.5e-06, 1.0),  // Pelz-Good
        (1_000_000, 0.00012264356501524913, 1.0),  // Pelz-Good
        (1_000_000, 0.00012764942481178994, 1.0),  // Pelz-Good
        (1_000_000, 0.0001414213562373095, 1.0),  // Pelz-Good
        (1_000_000, 0.0005477225575051661, 0.9249210081367327),  // Pelz-Good
        (1_000_000, 0.001, 0.26982107442589376),  // Pelz-Good
        (1_000_000, 0.0014798648586948741, 0.025025936947316585),  // Pelz-Good
        (1_000_000, 0.0014866068747318507, 0.024044594231805338),  // 2 smirnov
        (1_000_000, 0.0031622776601683794, 4.1134612426882296e-09),  // 2 smirnov
        (1_000_000, 0.019261360284258223, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.0282842712474619, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.2, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (1_000_000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_000, 0.9999985, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_000, 0.999999, 0.0),  // Ruben-Gambino high
        (1_000_000, 0.9999995, 0.0),  // Ruben-Gambino high
        (1_000_000, 1.0, 0.0),  // above support
        (1_000_000, 1.2, 0.0),  // above support
        (1_000_001, 0.0, 1.0),  // below support
        (1_000_001, 3.999996000004e-07, 1.0),  // below support
        (1_000_001, 4.999995000005e-07, 1.0),  // below support
        (1_000_001, 7.4999925000075e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_001, 9.8999901000099e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_001, 9.99999000001e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (1_000_001, 1.2999987000013e-06, 1.0),  // Pelz-Good
        (1_000_001, 2.4999975000025e-06, 1.0),  // Pelz-Good
        (1_000_001, 0.0001226434832529406, 1.0),  // Pelz-Good
        (1_000_001, 0.00012764933971224428, 1.0),  // Pelz-Good
        (1_000_001, 0.00014142128552668444, 1.0),  // Pelz-Good
        (1_000_001, 0.0005477222836440927, 0.9249210082190595),  // Pelz-Good
        (1_000_001, 0.000999999500000375, 0.269821074515162),  // Pelz-Good
        (1_000_001, 0.0014798641187629999, 0.025025936959690687),  // Pelz-Good
        (1_000_001, 0.0014866061314289707, 0.024044621498675773),  // 2 smirnov (n > 1e6 approximation)
        (1_000_001, 0.003162276079030735, 4.113625588188191e-09),  // 2 smirnov (n > 1e6 approximation)
        (1_000_001, 0.019261350653585304, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.028284257105336885, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.2, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.3, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.45, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.49, 0.0),  // zero (n x^2 >= 370)
        (1_000_001, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_001, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_001, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_001, 0.9999985000015, 0.0),  // 2 smirnov (x >= 1/2)
        (1_000_001, 0.999999000001, 0.0),  // Ruben-Gambino high
        (1_000_001, 0.9999995000005, 0.0),  // Ruben-Gambino high
        (1_000_001, 1.0, 0.0),  // above support
        (1_000_001, 1.2, 0.0),  // above support
        (3_000_000, 0.0, 1.0),  // below support
        (3_000_000, 1.3333333333333334e-07, 1.0),  // below support
        (3_000_000, 1.6666666666666668e-07, 1.0),  // below support
        (3_000_000, 2.5e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (3_000_000, 3.3e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (3_000_000, 3.3333333333333335e-07, 1.0),  // Ruben-Gambino low (Stirling)
        (3_000_000, 4.3333333333333335e-07, 1.0),  // Pelz-Good
        (3_000_000, 8.333333333333333e-07, 1.0),  // Pelz-Good
        (3_000_000, 5.8960876314737264e-05, 1.0),  // Pelz-Good
        (3_000_000, 6.136744269493062e-05, 1.0),  // Pelz-Good
        (3_000_000, 8.164965809277261e-05, 1.0),  // Pelz-Good
        (3_000_000, 0.00031622776601683794, 0.9249906025327214),  // Pelz-Good
        (3_000_000, 0.0005773502691896258, 0.2698965436671559),  // Pelz-Good
        (3_000_000, 0.0008544003745317531, 0.025036393628242393),  // Pelz-Good
        (3_000_000, 0.0008582928793055822, 0.024054696202165087),  // 2 smirnov (n > 1e6 approximation)
        (3_000_000, 0.0018257418583505537, 4.117292708360061e-09),  // 2 smirnov (n > 1e6 approximation)
        (3_000_000, 0.011120551545074851, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.016329931618554522, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.2, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.3, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.45, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.49, 0.0),  // zero (n x^2 >= 370)
        (3_000_000, 0.5, 0.0),  // 2 smirnov (x >= 1/2)
        (3_000_000, 0.7, 0.0),  // 2 smirnov (x >= 1/2)
        (3_000_000, 0.95, 0.0),  // 2 smirnov (x >= 1/2)
        (3_000_000, 0.9999995, 0.0),  // 2 smirnov (x >= 1/2)
        (3_000_000, 0.9999996666666666, 0.0),  // Ruben-Gambino high
        (3_000_000, 0.9999998333333333, 0.0),  // Ruben-Gambino high
        (3_000_000, 1.0, 0.0),  // above support
        (3_000_000, 1.2, 0.0),  // above support
        (28343, 6.656699981622365e-05, 0.0),  // Durbin matrix (overflows)
        (71167, 2.6444841007770453e-05, 0.0),  // Durbin matrix (overflows)
        (56490, 3.335103558151885e-05, 0.0),  // Durbin matrix (overflows)
    ]

    /// (n, d, smirnov(n, d)).
    static let smirnovCases: [(n: Int, d: Double, expected: Double)] = [
        (1, 0.0, 1.0),
        (1, 0.05, 0.95),
        (1, 0.1, 0.9),
        (1, 0.3, 0.7),
        (1, 0.5, 0.5),
        (1, 0.9, 0.09999999999999998),
        (1, 1.0, 0.0),
        (2, 0.0, 1.0),
        (2, 0.05, 0.9475),
        (2, 0.1, 0.89),
        (2, 0.21213203435596423, 0.7428679656440358),
        (2, 0.25, 0.6875),
        (2, 0.3, 0.61),
        (2, 0.35355339059327373, 0.5214466094067263),
        (2, 0.5, 0.25),
        (2, 0.7071067811865475, 0.085786437626905),
        (2, 0.75, 0.0625),
        (2, 0.9, 0.009999999999999995),
        (2, 1.0, 0.0),
        (3, 0.0, 1.0),
        (3, 0.05, 0.944875),
        (3, 0.1, 0.879),
        (3, 0.16666666666666666, 0.7731481481481481),
        (3, 0.17320508075688773, 0.7615987668204056),
        (3, 0.2886751345948129, 0.5206019375222859),
        (3, 0.3, 0.493),
        (3, 0.3333333333333333, 0.40740740740740744),
        (3, 0.5, 0.16666666666666666),
        (3, 0.5773502691896258, 0.08931639747704083),
        (3, 0.6666666666666666, 0.03703703703703705),
        (3, 0.6666666666666667, 0.037037037037037014),
        (3, 0.8333333333333334, 0.004629629629629627),
        (3, 0.9, 0.0009999999999999994),
        (3, 1.0, 0.0),
        (5, 0.0, 1.0),
        (5, 0.05, 0.9392246875),
        (5, 0.1, 0.85359),
        (5, 0.13416407864998736, 0.7780067316943314),
        (5, 0.2, 0.58528),
        (5, 0.22360679774997896, 0.5270589976445303),
        (5, 0.3, 0.34282),
        (5, 0.4, 0.15455999999999998),
        (5, 0.4472135954999579, 0.09976597663605082),
        (5, 0.5, 0.056),
        (5, 0.7, 0.002780000000000002),
        (5, 0.8, 0.00031999999999999965),
        (5, 0.8944271909999159, 1.3114761147416406e-05),
        (5, 0.9, 9.999999999999989e-06),
        (5, 1.0, 0.0),
        (10, 0.0, 1.0),
        (10, 0.05, 0.9224335892010742),
        (10, 0.09486832980505137, 0.7855241999501488),
        (10, 0.1, 0.7642052309),
        (10, 0.15, 0.5831277144961914),
        (10, 0.15811388300841897, 0.5518219702713794),
        (10, 0.2, 0.39676169159999997),
        (10, 0.25, 0.24491372483398438),
        (10, 0.3, 0.1354635556),
        (10, 0.31622776601683794, 0.1092135124111882),
        (10, 0.35, 0.06698659406601565),
        (10, 0.5, 0.003888705),
        (10, 0.6324555320336759, 0.000104544106724439),
        (10, 0.9, 9.999999999999978e-11),
        (10, 0.95, 9.765625000000086e-14),
        (10, 1.0, 0.0),
        (11, 0.0, 1.0),
        (11, 0.045454545454545456, 0.929102834681731),
        (11, 0.05, 0.9185552686611279),
        (11, 0.09045340337332908, 0.7849714952133559),
        (11, 0.09090909090909091, 0.7829834156752058),
        (11, 0.1, 0.7514743276634119),
        (11, 0.13636363636363635, 0.612087698526429),
        (11, 0.15075567228888181, 0.5535426410855215),
        (11, 0.18181818181818182, 0.43149253023319395),
        (11, 0.22727272727272727, 0.2785334096516077),
        (11, 0.3, 0.11270896307445534),
        (11, 0.30151134457776363, 0.11030591529329759),
        (11, 0.3181818181818182, 0.08631978886122593),
        (11, 0.5, 0.0022825892977209813),
        (11, 0.6030226891555273, 0.00011650381571511226),
        (11, 0.9, 1.000000003816876e-11),
        (11, 0.9090909090909091, 3.504938994813938e-12),
        (11, 0.9545454545454546, 1.71139599356147e-15),
        (11, 1.0, 0.0),
        (20, 0.0, 1.0),
        (20, 0.025, 0.9600337453587708),
        (20, 0.05, 0.873652490231218),
        (20, 0.06708203932499368, 0.800749849984878),
        (20, 0.075, 0.7621254972461489),
        (20, 0.1, 0.6290710188849629),
        (20, 0.11180339887498948, 0.5655990611818469),
        (20, 0.125, 0.49494965199959323),
        (20, 0.175, 0.2626823411512234),
        (20, 0.22360679774997896, 0.11641568221871347),
        (20, 0.3, 0.021533604376327058),
        (20, 0.4472135954999579, 0.0001813698489086836),
        (20, 0.5, 1.893797620269516e-05),
        (20, 0.9, 1.0003433227539019e-20),
        (20, 0.95, 9.536743164062669e-27),
        (20, 0.975, 9.094947017729443e-33),
        (20, 1.0, 0.0),
        (50, 0.0, 1.0),
        (50, 0.01, 0.9837165166154072),
        (50, 0.02, 0.9472237641358117),
        (50, 0.03, 0.8964968080960984),
        (50, 0.04, 0.8301488405631192),
        (50, 0.04242640687119285, 0.8126183880766507),
        (50, 0.05, 0.7540751208901442),
        (50, 0.07, 0.5856774813620361),
        (50, 0.07071067811865475, 0.5795862696272883),
        (50, 0.1, 0.34490701996888),
        (50, 0.1414213562373095, 0.12311320685944865),
        (50, 0.282842712474619, 0.00024745162125478415),
        (50, 0.3, 8.676630101359369e-05),
        (50, 0.5, 2.196426749559874e-12),
        (50, 0.7071067811865475, 5.50287679731621e-26),
        (50, 0.9, 1.0080305951144073e-50),
        (50, 0.98, 1.125899906842674e-85),
        (50, 0.99, 1.0000000000000444e-100),
        (50, 1.0, 0.0),
        (140, 0.0, 1.0),
        (140, 0.0035714285714285713, 0.9941378884427973),
        (140, 0.007142857142857143, 0.9807898098303465),
        (140, 0.010714285714285714, 0.9616303594155892),
        (140, 0.014285714285714285, 0.9355390336248729),
        (140, 0.017857142857142856, 0.9039029997581958),
        (140, 0.025, 0.8257988903260209),
        (140, 0.025354627641855497, 0.8214907169311255),
        (140, 0.042257712736425826, 0.5900391398032607),
        (140, 0.05, 0.4806544721283515),
        (140, 0.08451542547285165, 0.12791083612851412),
        (140, 0.1, 0.05677796337203063),
        (140, 0.1690308509457033, 0.00028807605200620697),
        (140, 0.3, 5.685125855368654e-12),
        (140, 0.4225771273642583, 1.7327789942616988e-23),
        (140, 0.5, 3.434650219138493e-33),
        (140, 0.9, 1.0427986800468302e-140),
        (140, 0.9928571428571429, 3.4839748000208903e-301),
        (140, 0.9964285714285714, 0.0),
        (140, 1.0, 0.0),
        (141, 0.0, 1.0),
        (141, 0.0035460992907801418, 0.9941792801086761),
        (141, 0.0070921985815602835, 0.9809246142487381),
        (141, 0.010638297872340425, 0.9618968301584502),
        (141, 0.014184397163120567, 0.9359806558458958),
        (141, 0.01773049645390071, 0.904550038364029),
        (141, 0.024822695035460994, 0.8269192699974643),
        (141, 0.025264557631995567, 0.8215383555619304),
        (141, 0.04210759605332595, 0.590095631541858),
        (141, 0.05, 0.47825576606563275),
        (141, 0.0842151921066519, 0.12793654747158664),
        (141, 0.1, 0.055651174842302024),
        (141, 0.1684303842133038, 0.0002882744795695066),
        (141, 0.3, 4.730673857069215e-12),
        (141, 0.42107596053325946, 1.7639524427775877e-23),
        (141, 0.5, 2.0170088305398415e-33),
        (141, 0.9, 1.0432084684775982e-141),
        (141, 0.9929078014184397, 9.122316069811974e-304),
        (141, 0.9964539007092199, 0.0),
        (141, 1.0, 0.0),
        (1000, 0.0, 1.0),
        (1000, 0.0005, 0.9991761542918122),
        (1000, 0.001, 0.9972857902774867),
        (1000, 0.0015, 0.994530225820965),
        (1000, 0.002, 0.9907038100406848),
        (1000, 0.0025, 0.9859376810107789),
        (1000, 0.0035, 0.9735286533933556),
        (1000, 0.009486832980505138, 0.8300349230861106),
        (1000, 0.015811388300841896, 0.6002211841107289),
        (1000, 0.03162277660168379, 0.13251148967848372),
        (1000, 0.05, 0.006506037390545166),
        (1000, 0.06324555320336758, 0.0003198824401668266),
        (1000, 0.1, 1.8518435484088554e-09),
        (1000, 0.15811388300841897, 1.3236147694201715e-22),
        (1000, 0.3, 1.2953578528684224e-80),
        (1000, 0.5, 5.32258645778891e-232),
        (1000, 0.9, 0.0),
        (1000, 0.999, 0.0),
        (1000, 0.9995, 0.0),
        (1000, 1.0, 0.0),
        (10000, 0.0, 1.0),
        (10000, 5e-05, 0.9999175690884206),
        (10000, 0.0001, 0.9997282125860588),
        (10000, 0.00015, 0.999451563253037),
        (10000, 0.0002, 0.9990663001934003),
        (10000, 0.00025, 0.9985845202606685),
        (10000, 0.00035, 0.9973202851409473),
        (10000, 0.003, 0.8336043920226321),
        (10000, 0.005, 0.6045173047556346),
        (10000, 0.01, 0.1344360315187895),
        (10000, 0.02, 0.00033084243196936547),
        (10000, 0.05, 1.816315757185146e-22),
        (10000, 0.1, 8.316556657975178e-88),
        (10000, 0.3, 0.0),
        (10000, 0.5, 0.0),
        (10000, 0.9, 0.0),
        (10000, 0.9999, 0.0),
        (10000, 0.99995, 0.0),
        (10000, 1.0, 0.0),
        (100000, 0.0, 1.0),
        (100000, 5e-06, 0.9999917564451687),
        (100000, 1e-05, 0.9999728175894523),
        (100000, 1.5e-05, 0.9999451416989923),
        (100000, 2e-05, 0.9999065890665316),
        (100000, 2.5e-05, 0.9998583590708775),
        (100000, 3.5e-05, 0.9997316996620587),
        (100000, 0.0009486832980505137, 0.8347424115589216),
        (100000, 0.0015811388300841895, 0.6058921623446535),
        (100000, 0.003162277660168379, 0.13505027139344694),
        (100000, 0.006324555320336758, 0.000334033338552895),
        (100000, 0.015811388300841896, 1.9034409180864552e-22),
        (100000, 0.05, 5.223428916842248e-218),
        (100000, 0.1, 0.0),
        (100000, 0.3, 0.0),
        (100000, 0.5, 0.0),
        (100000, 0.9, 0.0),
        (100000, 0.99999, 0.0),
        (100000, 0.999995, 0.0),
        (100000, 1.0, 0.0),
        (1_000_000, 0.0, 1.0),
        (1_000_000, 5e-07, 0.9999991756398798),
        (1_000_000, 1e-06, 0.999997281722249),
        (1_000_000, 2.5e-06, 0.9999858349770571),
        (1_000_000, 0.005, 1.9218187737389062e-22),
        (1_000_000, 0.5, 0.0),
        (1_000_000, 0.999999, 0.0),
        (1_000_000, 1.0, 0.0),
        (1_000_001, 0.0, 1.0),
        (1_000_001, 4.999995000005e-07, 0.9999991756407043),
        (1_000_001, 9.99999000001e-07, 0.9999972777842052),
        (1_000_001, 1.4999985000015e-06, 0.9999944444654321),
        (1_000_001, 1.999998000002e-06, 0.9999906111645753),
        (1_000_001, 2.4999975000025e-06, 0.9999857778931351),
        (1_000_001, 3.4999965000035e-06, 0.9999731114995022),
        (1_000_001, 0.00029999985000011246, 0.8351031277622176),
        (1_000_001, 0.0004999997500001875, 0.6063284829346383),
        (1_000_001, 0.000999999500000375, 0.13524508231375346),
        (1_000_001, 0.00199999900000075, 0.0003350156240665424),
        (1_000_001, 0.004999997500001875, 1.9223312815928366e-22),
        (1_000_001, 0.05, 0.0),
        (1_000_001, 0.1, 0.0),
        (1_000_001, 0.3, 0.0),
        (1_000_001, 0.5, 0.0),
        (1_000_001, 0.9, 0.0),
        (1_000_001, 0.999999000001, 0.0),
        (1_000_001, 0.9999995000005, 0.0),
        (1_000_001, 1.0, 0.0),
        (5_000_000, 0.0, 1.0),
        (5_000_000, 1e-07, 0.9999998351278936),
        (5_000_000, 2e-07, 0.9999994563437974),
        (5_000_000, 3e-07, 0.9999988888895062),
        (5_000_000, 4e-07, 0.9999981222239852),
        (5_000_000, 5e-07, 0.999997155559601),
        (5_000_000, 7e-07, 0.9999946222366825),
        (5_000_000, 0.00013416407864998736, 0.8351954966334114),
        (5_000_000, 0.00022360679774997895, 0.6064402434609328),
        (5_000_000, 0.0004472135954999579, 0.1352949385618966),
        (5_000_000, 0.0008944271909999158, 0.0003352626525393472),
        (5_000_000, 0.0022360679774997894, 1.9258767580417504e-22),
        (5_000_000, 0.05, 0.0),
        (5_000_000, 0.1, 0.0),
        (5_000_000, 0.3, 0.0),
        (5_000_000, 0.5, 0.0),
        (5_000_000, 0.9, 0.0),
        (5_000_000, 0.9999998, 0.0),
        (5_000_000, 0.9999999, 0.0),
        (5_000_000, 1.0, 0.0),
    ]

    /// (x, df, chi2.sf(x, df)).
    static let chiSquareCases: [(x: Double, df: Double, expected: Double)] = [
        (1e-300, 0.5, 1.0),
        (1e-10, 0.5, 0.9970662613841432),
        (0.01, 0.5, 0.7069191052789804),
        (0.1, 0.5, 0.48344467916953426),
        (0.25, 0.5, 0.35984279391691565),
        (0.4, 0.5, 0.2901489682630174),
        (0.475, 0.5, 0.2641121707647836),
        (0.5, 0.5, 0.25632205526853896),
        (0.525, 0.5, 0.248912042078703),
        (0.6, 0.5, 0.22866927937170733),
        (0.75, 0.5, 0.19520088739911987),
        (0.9, 0.5, 0.16851840570852947),
        (1.0, 0.5, 0.15351359580832247),
        (1.3, 0.5, 0.11800438224444432),
        (1.5, 0.5, 0.10006348671550179),
        (2.0, 0.5, 0.06792113201010888),
        (2.2, 0.5, 0.05860205452804371),
        (3.0, 0.5, 0.03341644415897894),
        (55.0, 0.5, 2.551044887929956e-14),
        (1000.0, 0.5, 1.8556702716467263e-220),
        (10000.0, 0.5, 0.0),
        (100000.0, 0.5, 0.0),
        (2000000.0, 0.5, 0.0),
        (1e-300, 1.0, 1.0),
        (1e-10, 1.0, 0.9999920211543921),
        (0.01, 1.0, 0.920344325445942),
        (0.1, 1.0, 0.7518296340458492),
        (0.5, 1.0, 0.47950012218695337),
        (0.8, 1.0, 0.37109336952269756),
        (0.9, 1.0, 0.34278171114790873),
        (0.95, 1.0, 0.3297192973126762),
        (1.0, 1.0, 0.31731050786291115),
        (1.05, 1.0, 0.30550708686125094),
        (1.2, 1.0, 0.273321678292295),
        (1.3, 1.0, 0.2542132236039611),
        (1.5, 1.0, 0.22067136191984324),
        (2.0, 1.0, 0.15729920705028105),
        (2.2, 1.0, 0.13801073756865542),
        (3.0, 1.0, 0.08326451666355042),
        (60.0, 1.0, 9.485737571073857e-15),
        (1000.0, 1.0, 1.7958327848007363e-219),
        (10000.0, 1.0, 0.0),
        (100000.0, 1.0, 0.0),
        (2000000.0, 1.0, 0.0),
        (1e-300, 2.0, 1.0),
        (1e-10, 2.0, 0.99999999995),
        (0.01, 2.0, 0.9950124791926823),
        (0.1, 2.0, 0.951229424500714),
        (0.5, 2.0, 0.7788007830714049),
        (0.9, 2.0, 0.6376281516217732),
        (1.0, 2.0, 0.6065306597126334),
        (1.3, 2.0, 0.5220457767610162),
        (1.6, 2.0, 0.4493289641172217),
        (1.9, 2.0, 0.38674102345450123),
        (2.0, 2.0, 0.36787944117144245),
        (2.1, 2.0, 0.3499377491111554),
        (2.2, 2.0, 0.33287108369807955),
        (2.4, 2.0, 0.3011942119122021),
        (3.0, 2.0, 0.22313016014842982),
        (4.0, 2.0, 0.1353352832366127),
        (6.0, 2.0, 0.04978706836786395),
        (70.0, 2.0, 6.305116760146996e-16),
        (1000.0, 2.0, 7.124576406741474e-218),
        (10000.0, 2.0, 0.0),
        (100000.0, 2.0, 0.0),
        (2000000.0, 2.0, 0.0),
        (1e-300, 3.0, 1.0),
        (1e-10, 3.0, 0.9999999999999998),
        (0.01, 3.0, 0.9997348349413444),
        (0.1, 3.0, 0.9918374237318764),
        (0.5, 3.0, 0.9188914116546758),
        (0.9, 3.0, 0.8254278090416608),
        (1.0, 3.0, 0.8012519569012009),
        (1.3, 3.0, 0.7291330762712481),
        (1.5, 3.0, 0.6822703303362125),
        (2.0, 3.0, 0.5724067044708798),
        (2.2, 3.0, 0.5319483712104882),
        (2.4000000000000004, 3.0, 0.49363462271172776),
        (2.8499999999999996, 3.0, 0.41533502916279874),
        (3.0, 3.0, 0.3916251762710877),
        (3.1500000000000004, 3.0, 0.3690713138447561),
        (3.5999999999999996, 3.0, 0.3080221715589928),
        (4.5, 3.0, 0.2122902873601327),
        (6.0, 3.0, 0.11161022509471268),
        (9.0, 3.0, 0.02929088653488826),
        (80.0, 3.0, 3.0692774861724164e-17),
        (1000.0, 3.0, 1.7994208765314067e-216),
        (10000.0, 3.0, 0.0),
        (100000.0, 3.0, 0.0),
        (2000000.0, 3.0, 0.0),
        (1e-300, 5.0, 1.0),
        (1e-10, 5.0, 1.0),
        (0.01, 5.0, 0.9999994699729957),
        (0.1, 5.0, 0.9998376833880774),
        (0.5, 5.0, 0.9921232932326296),
        (0.9, 5.0, 0.9702216384097856),
        (1.0, 5.0, 0.9625657732472964),
        (1.3, 5.0, 0.9349316790937376),
        (2.0, 5.0, 0.8491450360846096),
        (2.2, 5.0, 0.8208359692144962),
        (2.5, 5.0, 0.7764950711233227),
        (3.0, 5.0, 0.6999858358786276),
        (4.0, 5.0, 0.5494159513527802),
        (4.75, 5.0, 0.4471459016395012),
        (5.0, 5.0, 0.4158801869955079),
        (5.25, 5.0, 0.3861379243372883),
        (6.0, 5.0, 0.30621891841327875),
        (7.5, 5.0, 0.186029833602867),
        (10.0, 5.0, 0.07523524614651217),
        (15.0, 5.0, 0.010362337915786429),
        (100.0, 5.0, 5.285148360943219e-20),
        (1000.0, 5.0, 6.0100776879208495e-214),
        (10000.0, 5.0, 0.0),
        (100000.0, 5.0, 0.0),
        (2000000.0, 5.0, 0.0),
        (1e-300, 9.0, 1.0),
        (1e-10, 9.0, 1.0),
        (0.01, 9.0, 0.9999999999991591),
        (0.1, 9.0, 0.9999999743696746),
        (0.5, 9.0, 0.9999695662588389),
        (0.9, 9.0, 0.9996354706042818),
        (1.0, 9.0, 0.9994375026978325),
        (1.3, 9.0, 0.998376448363871),
        (2.0, 9.0, 0.9914676066288135),
        (2.2, 9.0, 0.9878955401745281),
        (3.0, 9.0, 0.9642949726850891),
        (4.5, 9.0, 0.8755390252983378),
        (7.2, 9.0, 0.6163052249833654),
        (8.549999999999999, 9.0, 0.4798048412457381),
        (9.0, 9.0, 0.43727418891386693),
        (9.450000000000001, 9.0, 0.39681335606081647),
        (10.799999999999999, 9.0, 0.28966749038847894),
        (13.5, 9.0, 0.14125582649328),
        (18.0, 9.0, 0.035173539466984795),
        (27.0, 9.0, 0.001398767679796457),
        (140.0, 9.0, 1.0316403824957489e-25),
        (1000.0, 9.0, 1.7240681189224405e-209),
        (10000.0, 9.0, 0.0),
        (100000.0, 9.0, 0.0),
        (2000000.0, 9.0, 0.0),
        (1e-300, 30.0, 1.0),
        (1e-10, 30.0, 1.0),
        (0.01, 30.0, 1.0),
        (0.1, 30.0, 1.0),
        (0.5, 30.0, 1.0),
        (0.9, 30.0, 1.0),
        (1.0, 30.0, 1.0),
        (1.3, 30.0, 0.9999999999999993),
        (2.0, 30.0, 0.9999999999997),
        (2.2, 30.0, 0.9999999999988586),
        (3.0, 30.0, 0.9999999999176028),
        (15.0, 30.0, 0.9897395720876574),
        (24.0, 30.0, 0.7720245323035448),
        (28.5, 30.0, 0.5439589539852304),
        (30.0, 30.0, 0.4656537089440098),
        (31.5, 30.0, 0.39113496740655773),
        (36.0, 30.0, 0.20807736254049417),
        (45.0, 30.0, 0.03860175826631727),
        (60.0, 30.0, 0.0009206823961486636),
        (90.0, 30.0, 6.56732682000148e-08),
        (350.0, 30.0, 3.1374063321897824e-56),
        (1000.0, 30.0, 5.131435321572562e-191),
        (10000.0, 30.0, 0.0),
        (100000.0, 30.0, 0.0),
        (2000000.0, 30.0, 0.0),
        (1e-300, 41.0, 1.0),
        (1e-10, 41.0, 1.0),
        (0.01, 41.0, 1.0),
        (0.1, 41.0, 1.0),
        (0.5, 41.0, 1.0),
        (0.9, 41.0, 1.0),
        (1.0, 41.0, 1.0),
        (1.3, 41.0, 1.0),
        (2.0, 41.0, 1.0),
        (2.2, 41.0, 1.0),
        (3.0, 41.0, 0.9999999999999999),
        (20.5, 41.0, 0.9968971189363851),
        (32.800000000000004, 41.0, 0.8157000475274548),
        (38.949999999999996, 41.0, 0.5620845353297881),
        (41.0, 41.0, 0.4706223768189809),
        (43.050000000000004, 41.0, 0.3835681100735532),
        (49.199999999999996, 41.0, 0.17776510225512687),
        (61.5, 41.0, 0.020686133145209597),
        (82.0, 41.0, 0.00014965692625545332),
        (123.0, 41.0, 4.0013390183110935e-10),
        (460.0, 41.0, 2.960417814785043e-72),
        (1000.0, 41.0, 5.848152153737352e-183),
        (10000.0, 41.0, 0.0),
        (100000.0, 41.0, 0.0),
        (2000000.0, 41.0, 0.0),
        (1e-300, 100.0, 1.0),
        (1e-10, 100.0, 1.0),
        (0.01, 100.0, 1.0),
        (0.1, 100.0, 1.0),
        (0.5, 100.0, 1.0),
        (0.9, 100.0, 1.0),
        (1.0, 100.0, 1.0),
        (1.3, 100.0, 1.0),
        (2.0, 100.0, 1.0),
        (2.2, 100.0, 1.0),
        (3.0, 100.0, 1.0),
        (50.0, 100.0, 0.9999930466947524),
        (80.0, 100.0, 0.9296649333406051),
        (95.0, 100.0, 0.6225792918781736),
        (100.0, 100.0, 0.48119168452795674),
        (105.0, 100.0, 0.346496403470322),
        (120.0, 100.0, 0.08440668109369177),
        (150.0, 100.0, 0.0009039320423540184),
        (200.0, 100.0, 1.1784500720979781e-08),
        (300.0, 100.0, 7.4121008573230175e-22),
        (1000.0, 100.0, 2.3060767380354624e-148),
        (1050.0, 100.0, 3.4798207266769354e-158),
        (10000.0, 100.0, 0.0),
        (100000.0, 100.0, 0.0),
        (2000000.0, 100.0, 0.0),
        (1e-300, 250.0, 1.0),
        (1e-10, 250.0, 1.0),
        (0.01, 250.0, 1.0),
        (0.1, 250.0, 1.0),
        (0.5, 250.0, 1.0),
        (0.9, 250.0, 1.0),
        (1.0, 250.0, 1.0),
        (1.3, 250.0, 1.0),
        (2.0, 250.0, 1.0),
        (2.2, 250.0, 1.0),
        (3.0, 250.0, 1.0),
        (125.0, 250.0, 0.9999999999977025),
        (200.0, 250.0, 0.9912264010113268),
        (237.5, 250.0, 0.7049425249613428),
        (250.0, 250.0, 0.488105320047829),
        (262.5, 250.0, 0.28107182078444837),
        (300.0, 250.0, 0.016518273157868715),
        (375.0, 250.0, 5.036938774014398e-07),
        (500.0, 250.0, 7.715520450827537e-19),
        (750.0, 250.0, 2.0658280935506248e-51),
        (1000.0, 250.0, 2.9551382953534946e-90),
        (2550.0, 250.0, 0.0),
        (10000.0, 250.0, 0.0),
        (100000.0, 250.0, 0.0),
        (2000000.0, 250.0, 0.0),
        (1e-300, 399.0, 1.0),
        (1e-10, 399.0, 1.0),
        (0.01, 399.0, 1.0),
        (0.1, 399.0, 1.0),
        (0.5, 399.0, 1.0),
        (0.9, 399.0, 1.0),
        (1.0, 399.0, 1.0),
        (1.3, 399.0, 1.0),
        (2.0, 399.0, 1.0),
        (2.2, 399.0, 1.0),
        (3.0, 399.0, 1.0),
        (199.5, 399.0, 1.0),
        (319.20000000000005, 399.0, 0.9987141404884716),
        (379.04999999999995, 399.0, 0.7563614114169385),
        (399.0, 399.0, 0.4905848049941904),
        (418.95000000000005, 399.0, 0.236289377474385),
        (478.79999999999995, 399.0, 0.0036908853075340664),
        (598.5, 399.0, 3.538458166321564e-10),
        (798.0, 399.0, 7.248069081038865e-29),
        (1000.0, 399.0, 2.349044089951378e-53),
        (1197.0, 399.0, 1.1227877389761506e-80),
        (4040.0, 399.0, 0.0),
        (10000.0, 399.0, 0.0),
        (100000.0, 399.0, 0.0),
        (2000000.0, 399.0, 0.0),
        (1e-300, 401.0, 1.0),
        (1e-10, 401.0, 1.0),
        (0.01, 401.0, 1.0),
        (0.1, 401.0, 1.0),
        (0.5, 401.0, 1.0),
        (0.9, 401.0, 1.0),
        (1.0, 401.0, 1.0),
        (1.3, 401.0, 1.0),
        (2.0, 401.0, 1.0),
        (2.2, 401.0, 1.0),
        (3.0, 401.0, 1.0),
        (200.5, 401.0, 1.0),
        (320.8, 401.0, 0.9987462677905261),
        (380.95, 401.0, 0.7569431597133922),
        (401.0, 401.0, 0.4906083149078626),
        (421.05, 401.0, 0.2357717308268306),
        (481.2, 401.0, 0.0036188808906521823),
        (601.5, 401.0, 3.2116725654453704e-10),
        (802.0, 401.0, 5.319782777851437e-29),
        (1000.0, 401.0, 5.9067717884358215e-53),
        (1203.0, 401.0, 4.547295236650863e-81),
        (4060.0, 401.0, 0.0),
        (10000.0, 401.0, 0.0),
        (100000.0, 401.0, 0.0),
        (2000000.0, 401.0, 0.0),
        (1e-300, 1000.0, 1.0),
        (1e-10, 1000.0, 1.0),
        (0.01, 1000.0, 1.0),
        (0.1, 1000.0, 1.0),
        (0.5, 1000.0, 1.0),
        (0.9, 1000.0, 1.0),
        (1.0, 1000.0, 1.0),
        (1.3, 1000.0, 1.0),
        (2.0, 1000.0, 1.0),
        (2.2, 1000.0, 1.0),
        (3.0, 1000.0, 1.0),
        (500.0, 1000.0, 1.0),
        (800.0, 1000.0, 0.9999991890618921),
        (950.0, 1000.0, 0.8691240657456883),
        (1000.0, 1000.0, 0.49405285382923964),
        (1050.0, 1000.0, 0.13247405682147703),
        (1200.0, 1000.0, 1.2255942330622893e-05),
        (1500.0, 1000.0, 1.0454640385980825e-22),
        (2000.0, 1000.0, 4.1436785914539184e-69),
        (3000.0, 1000.0, 1.6436845843568014e-198),
        (10000.0, 1000.0, 0.0),
        (10050.0, 1000.0, 0.0),
        (100000.0, 1000.0, 0.0),
        (2000000.0, 1000.0, 0.0),
        (1e-300, 100000.0, 1.0),
        (1e-10, 100000.0, 1.0),
        (0.01, 100000.0, 1.0),
        (0.1, 100000.0, 1.0),
        (0.5, 100000.0, 1.0),
        (0.9, 100000.0, 1.0),
        (1.0, 100000.0, 1.0),
        (1.3, 100000.0, 1.0),
        (2.0, 100000.0, 1.0),
        (2.2, 100000.0, 1.0),
        (3.0, 100000.0, 1.0),
        (1000.0, 100000.0, 1.0),
        (10000.0, 100000.0, 1.0),
        (50000.0, 100000.0, 1.0),
        (80000.0, 100000.0, 1.0),
        (95000.0, 100000.0, 1.0),
        (100000.0, 100000.0, 0.4994052918952067),
        (105000.0, 100000.0, 1.8950787187407385e-28),
        (120000.0, 100000.0, 0.0),
        (150000.0, 100000.0, 0.0),
        (200000.0, 100000.0, 0.0),
        (300000.0, 100000.0, 0.0),
        (1000050.0, 100000.0, 0.0),
        (2000000.0, 100000.0, 0.0),
        (0.0, 3.0, 1.0),
        (-1.0, 3.0, 1.0),
        (-.infinity, 3.0, 1.0),
        (.infinity, 3.0, 0.0),
        (.nan, 3.0, .nan),
        (2.0, 0.0, .nan),
        (2.0, -1.0, .nan),
        (2.0, .nan, .nan),
        (2.0, .infinity, 1.0),
        (.infinity, .infinity, 0.0),
        (0.0, .infinity, 1.0),
        (1e-05, 0.001, 0.005797764274514464),
    ]

    /// (z, norm.cdf(z)).
    static let normalCases: [(z: Double, expected: Double)] = [
        (-.infinity, 0.0),
        (-40.0, 0.0),
        (-38.5, 0.0),
        (-37.6, Double(bitPattern: 0x0000_C5DA_F5E2_618C)),
        (-30.0, 4.906713927147908e-198),
        (-10.0, 7.61985302416047e-24),
        (-8.5, 9.47953482220325e-18),
        (-7.9, 1.394517146659261e-15),
        (-5.0, 2.866515718791933e-07),
        (-3.0, 0.0013498980316300933),
        (-1.5, 0.06680720126885807),
        (-1.4142135623730951, 0.07864960352514251),
        (-1.414213562373095, 0.07864960352514258),
        (-1.0, 0.15865525393145707),
        (-0.7, 0.24196365222307303),
        (-0.5, 0.3085375387259869),
        (-1e-08, 0.4999999960105772),
        (-0.0, 0.5),
        (0.0, 0.5),
        (1e-300, 0.5),
        (1e-08, 0.5000000039894228),
        (0.3, 0.6179114221889526),
        (0.5, 0.6914624612740131),
        (0.7071, 0.7602478320101365),
        (1.0, 0.8413447460685429),
        (1.2, 0.8849303297782918),
        (1.5, 0.9331927987311419),
        (2.0, 0.9772498680518208),
        (3.0, 0.9986501019683699),
        (5.0, 0.9999997133484281),
        (8.3, 1.0),
        (9.0, 1.0),
        (12.0, 1.0),
        (38.0, 1.0),
        (.infinity, 1.0),
        (.nan, .nan),
    ]
    // END GENERATED
}
