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

    /// The logistic function as onnxruntime's ai.onnx.ml operators compute it: 1/(1+e^-|x|), mirrored for x < 0.
    @inline(__always)
    static func logistic(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        let v = 1 / (1 + exp(-magnitude))
        return v.replacing(with: 1 - v, where: x .< 0)
    }
}
