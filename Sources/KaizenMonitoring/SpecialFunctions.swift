#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

// Placeholder until the scipy-exact port lands (being written in parallel).
public enum SpecialFunctions {
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom: Double) -> Double {
        if x.isInfinite { return 0 }
        let a = degreesOfFreedom / 2
        let y = x / 2
        // series for P, 1 - P
        var sum = 1.0 / a
        var term = sum
        var n = 1.0
        while n < 10000 {
            term *= y / (a + n)
            sum += term
            if term < sum * 1e-16 { break }
            n += 1
        }
        let p = exp(-y + a * log(y) - lgamma(a)) * sum
        return 1 - p
    }
}
