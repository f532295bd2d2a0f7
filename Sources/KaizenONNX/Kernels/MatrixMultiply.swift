#if KAIZEN_WIDE_SIMD
/// The vector the product kernel computes with: 16 floats where the build targets 512-bit registers.
typealias ProductLane = SIMD16<Float>
#else
/// The vector the product kernel computes with: 8 floats (AVX2).
typealias ProductLane = SIMD8<Float>
#endif

/// Single-precision matrix products, the work of MatMul, Gemm and the linear models.
///
/// `B` is packed into panels of two vectors' width (row-major within a panel, zero-padded), so that the inner loop
/// reads it contiguously and keeps a 4-row block of the result in eight vector registers. Weights that are constants
/// of the model are packed once at load time.
struct PackedMatrix: Sendable {
    static let panelWidth = 2 * ProductLane.scalarCount
    private static let laneBytes = MemoryLayout<ProductLane>.size

    let rows: Int
    let columns: Int
    /// Panels of `rows × 16`, one after another.
    let panels: [Float]
    /// A bias added to every row of the product, padded to whole panels (empty for none).
    var bias: [Float] = []
    /// Whether negative results become zero (a fused Relu).
    var relu = false

    /// The same matrix with a bias row and optional Relu applied to every product it computes.
    func withEpilogue(bias: [Float], relu: Bool) -> PackedMatrix {
        var copy = self
        let width = Self.panelWidth
        let padded = (columns + width - 1) / width * width
        copy.bias = bias.count == 1 ? [Float](repeating: bias[0], count: columns) : bias
        copy.bias += [Float](repeating: 0, count: padded - copy.bias.count)
        copy.relu = relu
        return copy
    }

    /// Packs a row-major `rows × columns` matrix (or its transpose, when `transposed`, from a `columns × rows` one).
    init(_ values: UnsafeBufferPointer<Float>, rows: Int, columns: Int, transposed: Bool = false) {
        self.rows = rows
        self.columns = columns
        let width = Self.panelWidth
        let panelCount = (columns + width - 1) / width
        var panels = [Float](repeating: 0, count: panelCount * rows * width)
        for panel in 0..<panelCount {
            for row in 0..<rows {
                for lane in 0..<width {
                    let column = panel * width + lane
                    guard column < columns else { break }
                    let source = transposed ? column * rows + row : row * columns + column
                    panels[(panel * rows + row) * width + lane] = values[source]
                }
            }
        }
        self.panels = panels
    }

    init(_ values: [Float], rows: Int, columns: Int, transposed: Bool = false) {
        self = values.withUnsafeBufferPointer { PackedMatrix($0, rows: rows, columns: columns, transposed: transposed) }
    }

    /// `C[m × columns] = A[m × rows] · self`, with `A` row-major with row stride `lda`; `C` row-major, dense.
    func multiply(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>) {
        let k = rows
        let n = columns
        let width = Self.panelWidth
        let epilogue = Epilogue(bias: bias, relu: relu)
        panels.withUnsafeBufferPointer { packed in
            let base = UnsafeRawPointer(packed.baseAddress!)
            var panel = 0
            while panel * width < n {
                let b = base + panel * k * width * MemoryLayout<Float>.stride
                let columnStart = panel * width
                let lanes = min(width, n - columnStart)
                var row = 0
                let (biasLow, biasHigh) = epilogue.bias(panel: panel)
                while row + 4 <= m {
                    Self.block4(a + row * lda, lda, b, k, c + row * n + columnStart, n, lanes, biasLow, biasHigh, relu)
                    row += 4
                }
                while row < m {
                    Self.block1(a + row * lda, b, k, c + row * n + columnStart, lanes, biasLow, biasHigh, relu)
                    row += 1
                }
                panel += 1
            }
        }
    }

    @inline(__always)
    private static func block4(
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ lanes: Int, _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
    ) {
        var c00 = ProductLane(), c01 = ProductLane()
        var c10 = ProductLane(), c11 = ProductLane()
        var c20 = ProductLane(), c21 = ProductLane()
        var c30 = ProductLane(), c31 = ProductLane()
        let a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda
        var p = b
        for kk in 0..<k {
            let b0 = p.loadUnaligned(as: ProductLane.self)
            let b1 = p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self)
            p += 2 * laneBytes
            let x0 = ProductLane(repeating: a[kk])
            c00 += x0 * b0
            c01 += x0 * b1
            let x1 = ProductLane(repeating: a1[kk])
            c10 += x1 * b0
            c11 += x1 * b1
            let x2 = ProductLane(repeating: a2[kk])
            c20 += x2 * b0
            c21 += x2 * b1
            let x3 = ProductLane(repeating: a3[kk])
            c30 += x3 * b0
            c31 += x3 * b1
        }
        store(c00 + biasLow, c01 + biasHigh, c, lanes, relu)
        store(c10 + biasLow, c11 + biasHigh, c + ldc, lanes, relu)
        store(c20 + biasLow, c21 + biasHigh, c + 2 * ldc, lanes, relu)
        store(c30 + biasLow, c31 + biasHigh, c + 3 * ldc, lanes, relu)
    }

    @inline(__always)
    private static func block1(
        _ a: UnsafePointer<Float>, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>, _ lanes: Int,
        _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
    ) {
        var c0 = ProductLane(), c1 = ProductLane()
        var p = b
        for kk in 0..<k {
            let x = ProductLane(repeating: a[kk])
            c0 += x * p.loadUnaligned(as: ProductLane.self)
            c1 += x * p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self)
            p += 2 * laneBytes
        }
        store(c0 + biasLow, c1 + biasHigh, c, lanes, relu)
    }

    @inline(__always)
    private static func store(
        _ low: ProductLane, _ high: ProductLane, _ c: UnsafeMutablePointer<Float>, _ lanes: Int, _ relu: Bool
    ) {
        var low = low
        var high = high
        if relu {
            low = low.replacing(with: 0, where: low .< 0)
            high = high.replacing(with: 0, where: high .< 0)
        }
        let half = ProductLane.scalarCount
        if lanes == 2 * half {
            UnsafeMutableRawPointer(c).storeBytes(of: low, as: ProductLane.self)
            UnsafeMutableRawPointer(c + half).storeBytes(of: high, as: ProductLane.self)
        } else {
            for lane in 0..<lanes { c[lane] = lane < half ? low[lane] : high[lane - half] }
        }
    }
}

/// The bias of a packed product, read a panel at a time.
private struct Epilogue {
    let bias: [Float]
    let relu: Bool

    func bias(panel: Int) -> (ProductLane, ProductLane) {
        guard !bias.isEmpty else { return (ProductLane(), ProductLane()) }
        let start = panel * PackedMatrix.panelWidth
        let half = ProductLane.scalarCount
        return (ProductLane(bias[start..<(start + half)]), ProductLane(bias[(start + half)..<(start + 2 * half)]))
    }
}

extension PackedMatrix {
    /// `A[m × rows] · self` as a new row-major array.
    func multiply(_ a: [Float], m: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: m * columns) { buffer, initialized in
            a.withUnsafeBufferPointer { a in
                if m > 0 && rows > 0 {
                    multiply(a.baseAddress!, lda: rows, m: m, into: buffer.baseAddress!)
                } else {
                    buffer.initialize(repeating: 0)
                }
            }
            initialized = m * columns
        }
    }
}

/// Plain row-major matrix products for the types without a packed kernel.
enum NaiveMatrixMultiply {
    static func multiply<T: NumericElement>(_ a: ArraySlice<T>, _ b: ArraySlice<T>, m: Int, k: Int, n: Int) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        let aStart = a.startIndex
        let bStart = b.startIndex
        for i in 0..<m {
            for kk in 0..<k {
                let x = a[aStart + i * k + kk]
                for j in 0..<n { c[i * n + j] = T.wrappingSum(c[i * n + j], T.wrappingProduct(x, b[bStart + kk * n + j])) }
            }
        }
        return c
    }
}
