#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The two-sample Kolmogorov–Smirnov test and the distribution of its statistic.
///
/// The p-value is chosen and computed as `scipy.stats.ks_2samp` computes it with its defaults (two-sided,
/// `method="auto"`): exactly from lattice-path counts when neither sample holds more than 10,000 values, otherwise
/// from the distribution of the one-sample statistic Dₙ with n = round(n₁n₂ / (n₁ + n₂)), which is also the fallback
/// when the exact count leaves [0, 1] through rounding.
public enum KolmogorovSmirnov {
    /// How a p-value was computed.
    public enum PValueMethod: String, Sendable, Hashable {
        /// From the exact null distribution of the two-sample statistic.
        case exact
        /// From the distribution of the one-sample statistic for the effective sample size n₁n₂ / (n₁ + n₂).
        case asymptotic
    }

    /// The outcome of a two-sample test.
    public struct TwoSampleResult: Sendable, Hashable {
        /// The largest distance between the two empirical distribution functions. With the exact method it is
        /// snapped to the nearest multiple of 1 / lcm(n₁, n₂), as the exact distribution is defined on that lattice.
        public var statistic: Double
        /// The two-sided p-value, in [0, 1].
        public var pValue: Double
        /// How `pValue` was computed.
        public var method: PValueMethod

        /// A result with the given parts.
        public init(statistic: Double, pValue: Double, method: PValueMethod) {
            self.statistic = statistic
            self.pValue = pValue
            self.method = method
        }
    }

    /// A sample that the test cannot take.
    public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with the sample.
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            /// The code's name.
            public let name: String

            private init(_ name: String) { self.name = name }

            public var description: String { name }

            /// A sample holds no values.
            public static let emptySample = Code("emptySample")
            /// A sample is not in ascending order, or holds a NaN.
            public static let unsortedSample = Code("unsortedSample")
        }

        /// What kind of failure this is.
        public var code: Code
        /// Which sample, and where.
        public var message: String

        /// An error with a code and a message.
        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { "\(code.name): \(message)" }
    }

    /// Tests whether two samples come from the same continuous distribution; matches `scipy.stats.ks_2samp(reference,
    /// current)` (two-sided, `method="auto"`) in the statistic and the p-value.
    ///
    /// Both samples must already be sorted in ascending order and free of NaN; infinities and repeated values are
    /// allowed (ties count each value's whole run, as right-sided search does). The samples are checked in one
    /// linear pass and are not copied when they have contiguous storage, so array slices cost nothing extra.
    /// The exact p-value takes up to O(n₁ n₂) arithmetic and is used only while neither size exceeds 10,000. The
    /// asymptotic one is cheap, except that a large effective size with a small p-value sums up to n terms (about
    /// 0.1 s for a million values a side).
    ///
    /// - Throws: `InputError` with `.emptySample` when a sample is empty, `.unsortedSample` when one is out of
    ///   order or holds a NaN.
    public static func twoSample<Reference: RandomAccessCollection<Double>, Current: RandomAccessCollection<Double>>(
        sortedReference: Reference, sortedCurrent: Current
    ) throws(InputError) -> TwoSampleResult {
        let outcome = withBuffer(sortedReference) { reference in
            withBuffer(sortedCurrent) { current in
                Result { () throws(InputError) in try twoSample(reference, current) }
            }
        }
        return try outcome.get()
    }

    /// P(Dₙ ≥ d), the survival function of the two-sided one-sample Kolmogorov–Smirnov statistic for a sample of
    /// size n; matches `scipy.stats.kstwo.sf(d, n)`.
    ///
    /// Exact (Ruben–Gambino end formulas, the Durbin matrix, Pomeranz's recursion, twice the one-sided tail where
    /// the two tails cannot both be crossed) or the Pelz–Good expansion, chosen by n and n·d² as Simard and
    /// L'Ecuyer (2011) recommend. NaN when n < 1 or d is NaN.
    public static func twoSidedSurvival(_ d: Double, sampleSize n: Int) -> Double {
        if n < 1 || d.isNaN { return .nan }
        if d <= 0.5 / Double(n) { return 1 }
        if d >= 1 { return 0 }
        return survivalInSupport(d, n)
    }

    /// A sample as the internals read it.
    typealias Values = UnsafeBufferPointer<Double>

    static func twoSample(_ reference: Values, _ current: Values) throws(InputError) -> TwoSampleResult {
        try validate(reference, name: "reference")
        try validate(current, name: "current")
        let n1 = reference.count
        let n2 = current.count
        var d = statistic(reference, current)
        if max(n1, n2) <= 10_000 {
            let g = greatestCommonDivisor(n1, n2)
            let lcm = (n1 / g) * n2
            let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
            d = Double(h) / Double(lcm)
            if h == 0 { return TwoSampleResult(statistic: d, pValue: 1, method: .exact) }
            let p =
                n1 == n2
                ? exactOutsideProbability(equalSize: n1, h: h)
                : exactOutsideProbability(n1, n2, gcd: g, h: h)
            if p >= 0 && p <= 1 { return TwoSampleResult(statistic: d, pValue: p, method: .exact) }
            // Rounding pushed the exact count just outside [0, 1]: fall back as the reference does.
        }
        let larger = Double(max(n1, n2))
        let smaller = Double(min(n1, n2))
        let effectiveSize = (larger * smaller / (larger + smaller)).rounded(.toNearestOrEven)
        let p = twoSidedSurvival(d, sampleSize: Int(effectiveSize))
        return TwoSampleResult(statistic: d, pValue: p.isNaN ? p : min(max(p, 0), 1), method: .asymptotic)
    }

    private static func withBuffer<Collection: RandomAccessCollection<Double>, Output>(
        _ values: Collection, _ body: (Values) -> Output
    ) -> Output {
        if let output = values.withContiguousStorageIfAvailable(body) { return output }
        return Array(values).withUnsafeBufferPointer(body)
    }

    private static func validate(_ sample: Values, name: String) throws(InputError) {
        guard let first = sample.first else { throw InputError(.emptySample, "the \(name) sample is empty") }
        guard !first.isNaN else { throw InputError(.unsortedSample, "the \(name) sample holds a NaN at 0") }
        var previous = first
        for index in 1..<sample.count {
            let value = sample[index]
            // False for a NaN on either side, too.
            guard previous <= value else {
                throw InputError(.unsortedSample, "the \(name) sample is not ascending or holds a NaN at \(index)")
            }
            previous = value
        }
    }

    /// max |F₁(x) − F₂(x)| over the pooled values, each F counting the values ≤ x and divided by its size.
    ///
    /// Along a run of one sample's values that holds none of the other's, the difference moves one way only (even
    /// as rounded), so only the run's first and last distinct values can be extremes; runs are crossed by galloping
    /// search, which makes 1,000 values against 1,000,000 cost about as much as 1,000 against 1,000.
    static func statistic(_ a: Values, _ b: Values) -> Double {
        let n1 = a.count
        let n2 = b.count
        let size1 = Double(n1)
        let size2 = Double(n2)
        var largest = -Double.infinity
        var smallest = Double.infinity
        func record(_ count1: Int, _ count2: Int) {
            let difference = Double(count1) / size1 - Double(count2) / size2
            largest = max(largest, difference)
            smallest = min(smallest, difference)
        }
        var i = 0
        var j = 0
        while i < n1 && j < n2 {
            let x = a[i]
            let y = b[j]
            if x < y {
                let firstEnd = searchForward(a, from: i, past: x, including: true)
                let runEnd = searchForward(a, from: firstEnd, past: y, including: false)
                record(firstEnd, j)
                if runEnd > firstEnd { record(runEnd, j) }
                i = runEnd
            } else if y < x {
                let firstEnd = searchForward(b, from: j, past: y, including: true)
                let runEnd = searchForward(b, from: firstEnd, past: x, including: false)
                record(i, firstEnd)
                if runEnd > firstEnd { record(i, runEnd) }
                j = runEnd
            } else {
                i = searchForward(a, from: i, past: x, including: true)
                j = searchForward(b, from: j, past: x, including: true)
                record(i, j)
            }
        }
        if i < n1 {
            record(searchForward(a, from: i, past: a[i], including: true), j)
            record(n1, j)
        }
        if j < n2 {
            record(i, searchForward(b, from: j, past: b[j], including: true))
            record(i, n2)
        }
        let below = min(max(-smallest, 0), 1)
        return below > largest ? below : largest
    }

    /// The first index from `start` on whose value is above `value` (`including` values equal to it in the skipped
    /// part) or at least `value`; galloping, so the cost grows with the log of the distance covered.
    @inline(__always)
    private static func searchForward(_ values: Values, from start: Int, past value: Double, including: Bool) -> Int {
        @inline(__always) func skips(_ index: Int) -> Bool {
            including ? values[index] <= value : values[index] < value
        }
        var low = start
        var high = start
        var step = 1
        while high < values.count && skips(high) {
            low = high + 1
            high += step
            step *= 2
        }
        high = min(high, values.count)
        while low < high {
            let middle = low + (high - low) / 2
            if skips(middle) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

// MARK: - Exact two-sample distribution

extension KolmogorovSmirnov {
    /// P(D ≥ h/n) for two samples of size n: 2 Σₖ (−1)ᵏ⁺¹ C(2n, n − kh) / C(2n, n), nested Horner-like so that no
    /// binomial coefficient is formed.
    static func exactOutsideProbability(equalSize n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h {
                ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1)
            }
            p = ratio * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// P(D ≥ h / lcm(m, n)): the share of lattice paths from (0, 0) to (m, n) that leave the band
    /// |x/m − y/n| < h / lcm(m, n), by Hodges' inside method recast to carry that share directly (Viehmann 2021).
    /// NaN if the band's window outgrows its buffer, which the sizing rules out.
    static func exactOutsideProbability(_ first: Int, _ second: Int, gcd g: Int, h: Int) -> Double {
        let m = max(first, second)
        let n = min(first, second)
        let mg = m / g
        let ng = n / g
        var lower = 0
        var upper = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var width = upper - lower
        let capacity = min(2 * upper + 2, n + 1)
        var column = [Double](repeating: 1, count: capacity)
        for index in lower..<upper { column[index] = 0 }
        return column.withUnsafeMutableBufferPointer { a -> Double in
            for i in 1...m {
                let previousLower = lower
                let previousWidth = width
                lower = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
                lower = min(lower, n)
                upper = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
                if upper <= lower { return 1.0 }
                let shift = lower - previousLower
                guard shift >= 0, upper - 1 - previousLower < capacity else { return .nan }
                let di = Double(i)
                var dj = Double(lower)
                var value = lower == 0 ? 0.0 : 1.0
                for index in 0..<(upper - lower) {
                    value = (a[index + shift] * di + value * dj) / (di + dj)
                    a[index] = value
                    dj += 1
                }
                width = upper - lower
                if previousWidth > width && width < capacity {
                    for index in width..<min(previousWidth, capacity) { a[index] = 1 }
                }
            }
            return a[upper - lower - 1]
        }
    }
}

// MARK: - One-sample two-sided distribution

extension KolmogorovSmirnov {
    private static let scaleUp = 0x1p128
    private static let scaleDown = 0x1p-128

    /// P(Dₙ ≥ x) for 1/(2n) < x < 1.
    static func survivalInSupport(_ x: Double, _ n: Int) -> Double {
        let dn = Double(n)
        let t = dn * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                let step = 1.0 / dn
                let base = 2 * t - 1
                var product = 1.0
                for i in 1...n { product *= Double(i) * step * base }
                cdf = product
            } else {
                cdf = exp(logFactorialOverPower(n) + dn * log(2 * t - 1))
            }
            return clamped(1 - cdf)
        }
        if t >= Double(n - 1) { return clamped(2 * pow(1 - x, dn)) }
        if x >= 0.5 { return clamped(2 * SpecialFunctions.smirnovSurvival(sampleSize: n, deviation: x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return survival(fromCDF: durbinMatrixCDF(n, x)) }
            if nxSquared <= 4 { return survival(fromCDF: pomeranzCDF(n, x)) }
            return clamped(2 * SpecialFunctions.smirnovSurvival(sampleSize: n, deviation: x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clamped(2 * SpecialFunctions.smirnovSurvival(sampleSize: n, deviation: x)) }
        if n <= 100_000 && dn * pow(x, 1.5) <= 1.4 { return survival(fromCDF: durbinMatrixCDF(n, x)) }
        return clamped(1 - pelzGoodCDF(n, x))
    }

    private static func clamped(_ p: Double) -> Double { min(max(p, 0), 1) }

    private static func clamped(_ p: DoubleDouble) -> DoubleDouble {
        if p.hi > 1 || (p.hi == 1 && p.lo > 0) { return DoubleDouble(1) }
        if p.hi < 0 || (p.hi == 0 && p.lo < 0) { return DoubleDouble(0) }
        return p
    }

    /// 1 − cdf, rounded once: the reference finishes the Durbin and Pomeranz sums in extended precision.
    private static func survival(fromCDF cdf: DoubleDouble) -> Double {
        clamped(1.0 - clamped(cdf)).hi
    }

    private static let logTwoPi = 1.8378770664093453
    private static let stirlingCoefficients: [Double] = [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ]

    /// log(n! / nⁿ) by Stirling's series, with n log n removed up front to avoid cancellation.
    static func logFactorialOverPower(_ n: Int) -> Double {
        let dn = Double(n)
        let reciprocal = 1.0 / dn
        let argument = reciprocal / dn
        var series = 0.0
        for coefficient in stirlingCoefficients {
            series = series * argument + coefficient
        }
        return log(dn) / 2 - dn + logTwoPi / 2 + reciprocal * series
    }

    /// P(Dₙ ≤ d) by Durbin's matrix method as Marsaglia, Tsang and Wang evaluate it: the k-th diagonal entry of
    /// (n!/nⁿ) Hⁿ for an m × m matrix H, m = 2⌈nd⌉ − 1, with powers of 2¹²⁸ carried aside.
    static func durbinMatrixCDF(_ n: Int, _ d: Double) -> DoubleDouble {
        if d >= 1 { return DoubleDouble(1) }
        let nd = Double(n) * d
        if nd <= 0.5 { return DoubleDouble(0) }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1

        var firstColumn = [Double](repeating: 0, count: m)
        var reciprocalFactorials = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            firstColumn[j - 1] = 1.0 - pow(h, Double(j))
            reciprocalFactorials[j - 1] = factorial
            factorial /= Double(j)
            firstColumn[j - 1] *= factorial
        }
        let corner = (2 * h - 1.0 > 0 ? pow(2 * h - 1.0, Double(m)) : 0) - 2 * pow(h, Double(m))
        firstColumn[m - 1] = (1.0 + corner) * factorial

        var matrix = SquareMatrix(size: m)
        for i in 1..<m {
            for row in (i - 1)..<m { matrix[row, i] = reciprocalFactorials[row - i + 1] }
        }
        for row in 0..<m { matrix[row, 0] = firstColumn[row] }
        for column in 0..<m { matrix[m - 1, column] = firstColumn[m - 1 - column] }

        var power = SquareMatrix.identity(size: m)
        var scratch = SquareMatrix(size: m)
        var exponent = 0
        var matrixExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                scratch.setProduct(power, matrix)
                swap(&power, &scratch)
                exponent += matrixExponent
            }
            remaining /= 2
            guard remaining > 0 else { break }
            scratch.setProduct(matrix, matrix)
            swap(&matrix, &scratch)
            matrixExponent *= 2
            if abs(matrix[k - 1, k - 1]) > scaleUp {
                matrix.scale(by: scaleDown)
                matrixExponent += 128
            }
        }

        // n!/nⁿ underflows on the way; past the first rescaling the product runs in double-double, standing in for
        // the extended precision the reference switches to at that point.
        var p = power[k - 1, k - 1]
        var extended: DoubleDouble?
        let dn = Double(n)
        for i in 1...n {
            if var value = extended {
                value = value * Double(i) / dn
                if abs(value.hi) < scaleDown {
                    value = value.scaled(by: 128)
                    exponent -= 128
                }
                extended = value
            } else {
                p = Double(i) * p / dn
                if abs(p) < scaleDown {
                    extended = DoubleDouble(p * scaleUp)
                    exponent -= 128
                }
            }
        }
        if let value = extended {
            return clamped(exponent != 0 ? value.scaled(by: exponent) : value)
        }
        return clamped(DoubleDouble(exponent != 0 ? ldexp(p, Int32(clamping: exponent)) : p))
    }

    /// P(Dₙ ≤ x) by Pomeranz's recursion: 2n + 1 convolutions of a short row with Poisson-like weights, then n!.
    static func pomeranzCDF(_ n: Int, _ x: Double) -> DoubleDouble {
        let dn = Double(n)
        let t = dn * x
        let whole = Int(t.rounded(.down))
        let fraction = t - Double(whole)
        let g = min(fraction, 1.0 - fraction)
        let ceilF = fraction > 0 ? 1 : 0
        let roundF = fraction > 0.5 ? 1 : 0
        let count = 2 * (whole + 1)
        var gPowers = [Double](repeating: 1, count: count)
        var twoGPowers = [Double](repeating: 1, count: count)
        var oneMinusTwoGPowers = [Double](repeating: 1, count: count)
        let gOverN = g / dn
        let twoGOverN = 2 * g / dn
        let oneMinusTwoGOverN = (1 - 2 * g) / dn
        for m in 1..<count {
            gPowers[m] = gPowers[m - 1] * gOverN / Double(m)
            twoGPowers[m] = twoGPowers[m - 1] * twoGOverN / Double(m)
            oneMinusTwoGPowers[m] = oneMinusTwoGPowers[m - 1] * oneMinusTwoGOverN / Double(m)
        }

        var previous = [Double](repeating: 0, count: count)
        var current = [Double](repeating: 0, count: count)
        current[0] = 1
        var previousStart = 0
        var currentStart = 0
        var exponent = 0
        var (j1, j2) = pomeranzBounds(0, n, whole, ceilF, roundF)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&previous, &current)
            swap(&previousStart, &currentStart)
            for index in 0..<count { current[index] = 0 }
            (j1, j2) = pomeranzBounds(i, n, whole, ceilF, roundF)
            let weights = i == 1 || i == 2 * n + 1 ? gPowers : (i % 2 == 1 ? twoGPowers : oneMinusTwoGPowers)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let offset = k1 - previousStart
            let outputStart = j1 - k1
            var largest = 0.0
            for output in 0..<max(min(j2 - j1 + 1, count), 0) {
                // Entry outputStart + output of the full convolution of previous[offset...] with the weights.
                let q = outputStart + output
                var sum = 0.0
                var a = max(0, q - length + 1)
                while a <= min(q, length - 1) {
                    let source = offset + a
                    if source >= 0 && source < count && q - a < count { sum += previous[source] * weights[q - a] }
                    a += 1
                }
                current[output] = sum
                largest = max(largest, sum)
            }
            if largest > 0 && largest < scaleDown {
                for index in 0..<count { current[index] *= scaleUp }
                exponent -= 128
            }
            currentStart = previousStart + j1 - k1
        }

        // Multiply by n!; past the first rescaling in double-double, as in `durbinMatrixCDF`.
        let index = n - currentStart
        var answer = index >= 0 && index < count ? current[index] : 0
        var extended: DoubleDouble?
        for m in 1...n {
            if var value = extended {
                if abs(value.hi) > scaleUp {
                    value = value.scaled(by: -128)
                    exponent += 128
                }
                extended = value * Double(m)
            } else if abs(answer) > scaleUp {
                exponent += 128
                extended = DoubleDouble(answer * scaleDown) * Double(m)
            } else {
                answer *= Double(m)
            }
        }
        if let value = extended {
            return clamped(exponent != 0 ? value.scaled(by: exponent) : value)
        }
        return clamped(DoubleDouble(exponent != 0 ? ldexp(answer, Int32(clamping: exponent)) : answer))
    }

    /// The span of row i of Pomeranz's recursion that can be non-zero.
    private static func pomeranzBounds(_ i: Int, _ n: Int, _ whole: Int, _ ceilF: Int, _ roundF: Int) -> (Int, Int) {
        var j1: Int
        var j2: Int
        if i == 0 {
            j1 = -whole - ceilF - 1
            j2 = whole + ceilF - 1
        } else {
            let half = (i + 1) / 2
            if (i + 1) % 2 == 0 {
                if half == n + 1 {
                    j1 = n - whole - ceilF - 1
                    j2 = n + whole + ceilF - 1
                } else {
                    j1 = half - 1 - whole - roundF - 1
                    j2 = half + whole - 1 + ceilF - 1
                }
            } else {
                j1 = half - 1 - whole - 1
                j2 = half + whole + roundF - 1
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    private static let piSquared = 9.869604401089358
    private static let piFourth = 97.40909103400242
    private static let piSixth = 961.3891935753043
    private static let sqrtTwoPi = 2.5066282746310002
    private static let sqrtThree = 1.7320508075688772

    /// P(Dₙ ≤ x) by Pelz and Good's expansion K₀ + K₁/√n + K₂/n + K₃/n^{3/2} in Jacobi-theta form, for small √n·x.
    static func pelzGoodCDF(_ n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let z = Double(n).squareRoot() * x
        let z2 = pow(z, 2)
        let z3 = pow(z, 3)
        let z4 = pow(z, 4)
        let z6 = pow(z, 6)
        let logQ = -piSquared / 8 / z2
        if logQ < -708 { return 0 }
        var q = exp(logQ)

        let k1a = -z2
        let k1b = piSquared / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * piSquared / 4
        let k2c = piFourth * (1 - 2 * z2) / 16
        let k3d = piSixth * (5 - 30 * z2) / 64
        let k3c = piFourth * (-60 * z2 + 212 * z4) / 16
        let k3b = piSquared * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)

        var k0 = 0.0
        var k1 = 0.0
        var k2 = 0.0
        var k3 = 0.0
        let terms = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: terms, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m
            let m4 = m2 * m2
            let m6 = m4 * m2
            let qPower = pow(q, Double(8 * k))
            k0 = k0 * qPower + 1.0
            k1 = k1 * qPower + (k1a + k1b * m2)
            k2 = k2 * qPower + (k2a + k2b * m2 + k2c * m4)
            k3 = k3 * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6)
        }
        k0 = k0 * q * sqrtTwoPi / z
        k1 = k1 * q * sqrtTwoPi / (6 * z4)
        k2 = k2 * q * sqrtTwoPi / (72 * pow(z, 7))
        k3 = k3 * q * sqrtTwoPi / (6480 * pow(z, 10))

        q = exp(-piSquared / 2 / z2)
        let sqrt3z = sqrtThree * z
        var secondTerms = [Double]()
        var thirdTerms = [Double]()
        secondTerms.reserveCapacity(max(terms, 0))
        thirdTerms.reserveCapacity(max(terms, 0))
        for k in stride(from: terms, to: 0, by: -1) {
            let kSquared = Double(k * k)
            let kPi = Double.pi * Double(k)
            let qPower = pow(q, kSquared)
            secondTerms.append(kSquared * qPower)
            thirdTerms.append((sqrt3z + kPi) * (sqrt3z - kPi) * kSquared * qPower)
        }
        k2 += pairwiseSum(secondTerms) * (piSquared * sqrtTwoPi / (-36 * z3))
        k3 += pairwiseSum(thirdTerms) * (piSquared * sqrtTwoPi / (216 * z6))

        let dn = Double(n)
        k0 /= pow(dn, 0)
        k1 /= pow(dn, 0.5)
        k2 /= pow(dn, 1)
        k3 /= pow(dn, 1.5)
        return k0 + k1 + k2 + k3
    }

    /// The sum in pairwise order (eight running sums, halves past 128 values), so that it rounds as the reference's
    /// sums do.
    static func pairwiseSum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwiseSum($0[...]) }
    }

    private static func pairwiseSum(_ values: Slice<UnsafeBufferPointer<Double>>) -> Double {
        let count = values.count
        let start = values.startIndex
        if count < 8 {
            var sum = 0.0
            for value in values { sum += value }
            return sum
        }
        if count <= 128 {
            var partial = (0..<8).map { values[start + $0] }
            var index = 8
            while index < count - count % 8 {
                for lane in 0..<8 { partial[lane] += values[start + index + lane] }
                index += 8
            }
            var sum =
                ((partial[0] + partial[1]) + (partial[2] + partial[3]))
                + ((partial[4] + partial[5]) + (partial[6] + partial[7]))
            while index < count {
                sum += values[start + index]
                index += 1
            }
            return sum
        }
        var half = count / 2
        half -= half % 8
        return pairwiseSum(values[start..<(start + half)]) + pairwiseSum(values[(start + half)...])
    }
}

/// A dense square matrix of doubles in row-major order, for the Durbin matrix power.
struct SquareMatrix {
    let size: Int
    var entries: [Double]

    init(size: Int) {
        self.size = size
        entries = [Double](repeating: 0, count: size * size)
    }

    static func identity(size: Int) -> SquareMatrix {
        var matrix = SquareMatrix(size: size)
        for index in 0..<size { matrix[index, index] = 1 }
        return matrix
    }

    subscript(row: Int, column: Int) -> Double {
        get { entries[row * size + column] }
        set { entries[row * size + column] = newValue }
    }

    mutating func scale(by factor: Double) {
        for index in entries.indices { entries[index] *= factor }
    }

    /// Sets the matrix to lhs · rhs, each entry summed in ascending order of the inner index.
    mutating func setProduct(_ lhs: SquareMatrix, _ rhs: SquareMatrix) {
        let n = size
        lhs.entries.withUnsafeBufferPointer { a in
            rhs.entries.withUnsafeBufferPointer { b in
                entries.withUnsafeMutableBufferPointer { c in
                    for index in 0..<(n * n) { c[index] = 0 }
                    for i in 0..<n {
                        for k in 0..<n {
                            let factor = a[i * n + k]
                            for j in 0..<n { c[i * n + j] += factor * b[k * n + j] }
                        }
                    }
                }
            }
        }
    }
}
