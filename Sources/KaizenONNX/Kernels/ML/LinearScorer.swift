/// Scores `X · Wᵀ + b` for a few or many targets: dot products for a handful, the packed product for more.
struct LinearScorer: Sendable {
    let features: Int
    let targets: Int
    /// Row-major `targets × features`.
    let coefficients: [Float]
    let intercepts: [Float]
    let packed: PackedMatrix?

    init(coefficients: [Float], intercepts: [Float], targets: Int) {
        self.targets = targets
        self.features = targets == 0 ? 0 : coefficients.count / targets
        self.coefficients = coefficients
        self.intercepts = intercepts.isEmpty ? [Float](repeating: 0, count: targets) : intercepts
        self.packed = targets > 4 ? PackedMatrix(coefficients, rows: features, columns: targets, transposed: true) : nil
    }

    /// An `rows × targets` score matrix.
    func scores(_ x: [Float], rows: Int) -> [Float] {
        if let packed {
            var scores = packed.multiply(x, m: rows)
            for row in 0..<rows {
                for target in 0..<targets { scores[row * targets + target] += intercepts[target] }
            }
            return scores
        }
        return [Float](unsafeUninitializedCapacity: rows * targets) { out, initialized in
            x.withUnsafeBufferPointer { x in
                coefficients.withUnsafeBufferPointer { w in
                    for row in 0..<rows {
                        for target in 0..<targets {
                            out[row * targets + target] =
                                Self.dot(x.baseAddress! + row * features, w.baseAddress! + target * features, features)
                                + intercepts[target]
                        }
                    }
                }
            }
            initialized = rows * targets
        }
    }

    /// Two dot products of one row, reading the row once.
    @inline(__always)
    static func dot2(
        _ x: UnsafePointer<Float>, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ n: Int
    )
        -> (Float, Float)
    {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            a0 += v * UnsafeRawPointer(w0 + i).loadUnaligned(as: SIMD8<Float>.self)
            a1 += v * UnsafeRawPointer(w1 + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s0 = a0.sum()
        var s1 = a1.sum()
        while i < n {
            s0 += x[i] * w0[i]
            s1 += x[i] * w1[i]
            i += 1
        }
        return (s0, s1)
    }

    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc +=
                UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum += x[i] * w[i]
            i += 1
        }
        return sum
    }
}
