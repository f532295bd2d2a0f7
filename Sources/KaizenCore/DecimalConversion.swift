/// Correctly rounded decimal-to-double conversion for the common case, without the C library's `strtod`.
///
/// JSON numbers from NumPy and pandas clients usually have 16 or 17 significant digits (a float32 widened to double),
/// which sends `strtod` down its slow multi-precision path. Here a mantissa of at most 19 digits and a power of ten up
/// to 10^27 (both exact in an 80-bit float) are combined with one rounding; the result is then rounded to a double
/// unless the 80-bit value lies within one unit of a halfway point between doubles, where two roundings could
/// disagree with one: those rare cases return `nil` and the caller uses `strtod`.
public enum DecimalConversion {
    #if arch(x86_64) && !os(Windows)
        /// 10^exponent for 0 ≤ exponent ≤ 27 by squaring: every factor and partial product is a power of ten whose
        /// power of five fits in 64 bits, so each multiplication is exact.
        @inline(__always)
        static func powerOfTen(_ exponent: Int) -> Float80 {
            var result: Float80 = 1
            var base: Float80 = 10
            var remaining = exponent
            while remaining > 0 {
                if remaining & 1 == 1 { result *= base }
                base *= base
                remaining >>= 1
            }
            return result
        }
    #endif

    /// `±mantissa × 10^exponent`, or `nil` when the fast path cannot guarantee the correctly rounded double.
    public static func double(mantissa: UInt64, exponent: Int, negative: Bool) -> Double? {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Clinger's fast path: both operands exact in a double, so one IEEE operation rounds once.
        if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let value =
                exponent >= 0
                ? Double(mantissa) * exactPowerOfTen(exponent) : Double(mantissa) / exactPowerOfTen(-exponent)
            return negative ? -value : value
        }
        #if arch(x86_64) && !os(Windows)
            guard exponent >= -27, exponent <= 27 else { return nil }
            let wide = Float80(mantissa)
            let scaled = exponent >= 0 ? wide * powerOfTen(exponent) : wide / powerOfTen(-exponent)
            // 63 fraction bits in Float80, 52 in Double: the 11 bits in between decide the rounding.
            let low = scaled.significandBitPattern & 0x7FF
            guard low != 0x400, low != 0x3FF, low != 0x401 else { return nil }
            let value = Double(scaled)
            return negative ? -value : value
        #else
            return nil
        #endif
    }

    /// 10^exponent for 0 ≤ exponent ≤ 22, exact in a double.
    @inline(__always)
    static func exactPowerOfTen(_ exponent: Int) -> Double {
        var value = 1.0
        var remaining = exponent
        while remaining >= 8 {
            value *= 1e8
            remaining -= 8
        }
        switch remaining {
        case 1: return value * 10
        case 2: return value * 1e2
        case 3: return value * 1e3
        case 4: return value * 1e4
        case 5: return value * 1e5
        case 6: return value * 1e6
        case 7: return value * 1e7
        default: return value
        }
    }
}
