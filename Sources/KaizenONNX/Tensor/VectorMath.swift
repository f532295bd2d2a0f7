/// Elementary functions on 8 floats at once, accurate to a few units in the last place (well inside the 1e-5 that
/// parity with onnxruntime allows), for the hot loops of the linear models.
enum VectorMath {
    /// e^x, by range reduction to x = n·ln 2 + r and a degree-6 polynomial for e^r.
    @inline(__always)
    static func exp(_ value: SIMD8<Float>) -> SIMD8<Float> {
        var x = value.replacing(with: -87.3, where: value .< -87.3)
        x = x.replacing(with: 88.3, where: x .> 88.3)
        // Adding 1.5 · 2^23 rounds to an integer and leaves it in the low bits: n as float and as integer.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        x = x - n * 0.693359375 + n * 2.12194440e-4
        var y = SIMD8<Float>(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * x * x + x + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let exponent = (integer &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    /// erf(x), by the rational approximation `Float.erf` uses (the same values, 8 at a time).
    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // The clamp written for the concrete vector: generic lane comparisons compile to a loop over the lanes.
        let v = x.replacing(with: -4, where: x .< -4)
        return erfRational(v.replacing(with: 4, where: v .> 4))
    }

    /// erf(x), 16 at a time.
    @inline(__always)
    static func erf(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let v = x.replacing(with: -4, where: x .< -4)
        return erfRational(v.replacing(with: 4, where: v .> 4))
    }

    /// The rational approximation of erf on [-4, 4].
    @inline(__always)
    private static func erfRational<V: SIMD>(_ v: V) -> V where V.Scalar == Float {
        let v2 = v * v
        var p = V(repeating: -2.72614225801306e-10)
        p = p * v2 + 2.77068142495902e-08
        p = p * v2 - 2.10102402082508e-06
        p = p * v2 - 5.69250639462346e-05
        p = p * v2 - 7.34990630326855e-04
        p = p * v2 - 2.95459980854025e-03
        p = p * v2 - 1.60960333262415e-02
        var q = V(repeating: -1.45660718464996e-05)
        q = q * v2 - 2.13374055278905e-04
        q = q * v2 - 1.68282697438203e-03
        q = q * v2 - 7.37332916720468e-03
        q = q * v2 - 1.42647390514189e-02
        return v * p / q
    }

    /// Exact GELU, `x · (1 + erf(x / √2)) / 2`, 8 at a time.
    @inline(__always)
    static func gelu(_ x: SIMD8<Float>) -> SIMD8<Float> { x * (1 + erf(x * 0.70710678118654752440)) * 0.5 }

    /// Exact GELU, 16 at a time.
    @inline(__always)
    static func gelu(_ x: SIMD16<Float>) -> SIMD16<Float> { x * (1 + erf(x * 0.70710678118654752440)) * 0.5 }

    /// `f` applied to every value, 8 at a time (the last few through a padded vector).
    @inline(__always)
    static func map(_ values: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                var index = 0
                while index + 8 <= values.count {
                    let lane = UnsafeRawPointer(source.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(out.baseAddress! + index).storeBytes(of: f(lane), as: SIMD8<Float>.self)
                    index += 8
                }
                if index < values.count {
                    var lane = SIMD8<Float>()
                    for offset in 0..<(values.count - index) { lane[offset] = source[index + offset] }
                    let result = f(lane)
                    for offset in 0..<(values.count - index) { out[index + offset] = result[offset] }
                }
            }
            initialized = values.count
        }
    }

    /// The logistic function as onnxruntime's ai.onnx.ml operators compute it: 1/(1+e^-|x|), mirrored for x < 0.
    @inline(__always)
    static func logistic(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        let v = 1 / (1 + exp(-magnitude))
        return v.replacing(with: 1 - v, where: x .< 0)
    }
}
