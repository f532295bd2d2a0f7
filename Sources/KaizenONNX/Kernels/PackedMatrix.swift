#if KAIZEN_WIDE_SIMD
    /// The vector the product kernel computes with: 16 floats where the build targets 512-bit registers.
    typealias ProductLane = SIMD16<Float>
#else
    /// The vector the product kernel computes with: 8 floats (AVX2).
    typealias ProductLane = SIMD8<Float>
#endif

/// `acc + x · b`: one fused multiply-add where the build targets a CPU that has it (the Makefile's release build
/// sets KAIZEN_FMA); otherwise a multiply and an add, which never fall back to a slow per-lane library call.
@inline(__always)
func fused(_ acc: ProductLane, _ x: ProductLane, _ b: ProductLane) -> ProductLane {
    #if KAIZEN_FMA
        acc.addingProduct(x, b)
    #else
        acc + x * b
    #endif
}

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
    /// The function applied to every result after the bias (a fused Relu or GELU).
    var activation = Activation.none

    /// What a dense layer applies to its results.
    enum Activation: Sendable {
        case none
        /// Negative results become zero.
        case relu
        /// `x · (1 + erf(x / √2)) / 2`, exact GELU.
        case gelu
    }

    /// The same matrix and bias with another activation (the panels shared, not packed again).
    func with(_ activation: Activation) -> PackedMatrix {
        var copy = self
        copy.activation = activation
        return copy
    }

    /// The same matrix with a bias row and an activation applied to every product it computes.
    func withEpilogue(bias: [Float], activation: Activation) -> PackedMatrix {
        var copy = self
        let width = Self.panelWidth
        let padded = (columns + width - 1) / width * width
        copy.bias = bias.count == 1 ? [Float](repeating: bias[0], count: columns) : bias
        copy.bias += [Float](repeating: 0, count: padded - copy.bias.count)
        return copy.with(activation)
    }

    /// Packs a row-major `rows × columns` matrix (or its transpose, when `transposed`, from a `columns × rows` one).
    init(_ values: UnsafeBufferPointer<Float>, rows: Int, columns: Int, transposed: Bool = false) {
        precondition(values.count >= rows * columns, "a packed matrix needs rows × columns values")
        self.init(
            strided: values.baseAddress, rows: rows, columns: columns, rowStride: transposed ? 1 : columns,
            columnStride: transposed ? rows : 1)
    }

    /// Packs the `rows × columns` matrix whose element (r, c) is `source[r · rowStride + c · columnStride]`: a
    /// row-major matrix, its transpose, or a view of a larger tensor (an attention head's keys or values).
    init(strided source: UnsafePointer<Float>?, rows: Int, columns: Int, rowStride: Int, columnStride: Int) {
        self.rows = rows
        self.columns = columns
        let width = Self.panelWidth
        let panelCount = (columns + width - 1) / width
        var panels = [Float](repeating: 0, count: panelCount * rows * width)
        if let source {
            panels.withUnsafeMutableBufferPointer { out in
                let target = out.baseAddress!
                for panel in 0..<panelCount {
                    let start = panel * width
                    let lanes = min(width, columns - start)
                    let block = target + panel * rows * width
                    if columnStride == 1 {
                        for row in 0..<rows {
                            (block + row * width).update(from: source + row * rowStride + start, count: lanes)
                        }
                    } else {
                        // Each of the panel's columns read in the source's order.
                        for lane in 0..<lanes {
                            let from = source + (start + lane) * columnStride
                            for row in 0..<rows { block[row * width + lane] = from[row * rowStride] }
                        }
                    }
                }
            }
        }
        self.panels = panels
        // A product with a handful of columns (a classifier's last layer) is cheaper as dot products of each row
        // with each column than as a panel that is mostly padding.
        if columns <= 4, let source {
            var columnsFirst = [Float](repeating: 0, count: rows * columns)
            for row in 0..<rows {
                for column in 0..<columns {
                    columnsFirst[column * rows + row] = source[row * rowStride + column * columnStride]
                }
            }
            self.columnsFirst = columnsFirst
        }
    }

    /// The matrix stored column by column, kept when it has at most four columns.
    private var columnsFirst: [Float]?

    init(_ values: [Float], rows: Int, columns: Int, transposed: Bool = false) {
        self = values.withUnsafeBufferPointer { PackedMatrix($0, rows: rows, columns: columns, transposed: transposed) }
    }

    /// `C[m × columns] = A[m × rows] · self`, with `A` row-major with row stride `lda`; `C` row-major, dense. A large
    /// product's rows are split across `IntraOpThreads`, in blocks of 8 rows.
    func multiply(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>) {
        let blocks = (m + 7) / 8
        let (aShared, cShared) = (UncheckedSendable(a), UncheckedSendable(c))
        IntraOpThreads.split(blocks, work: m * rows * columns) { range in
            let first = range.lowerBound * 8
            let last = min(m, range.upperBound * 8)
            multiplyRows(aShared.value + first * lda, lda: lda, m: last - first, into: cShared.value + first * columns)
        }
    }

    /// Rows taken through every panel before the next rows start, when the packed matrix is small enough to stay in
    /// cache across chunks: their slice of `A` stays in cache while each panel reads it, instead of all of `A`
    /// streaming from memory once per panel (a 100,000-row batch is 40 MB). A large packed matrix (a transformer's
    /// weights) is better read once, panel by panel.
    static let rowsPerChunk = 48
    static let chunkedBytes = 1 << 19

    fileprivate func multiplyRows(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>) {
        if let columnsFirst {
            multiplyByColumns(columnsFirst, a, lda: lda, m: m, into: c)
            return
        }
        let chunk = panels.count * MemoryLayout<Float>.size <= Self.chunkedBytes ? Self.rowsPerChunk : m
        var start = 0
        while start < m {
            let count = min(chunk, m - start)
            multiplyChunk(a + start * lda, lda: lda, m: count, into: c + start * columns)
            start += count
        }
    }

    private func multiplyChunk(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>) {
        let k = rows
        let n = columns
        let width = Self.panelWidth
        let epilogue = Epilogue(bias: bias)
        let relu = activation == .relu
        let gelu = activation == .gelu
        panels.withUnsafeBufferPointer { packed in
            let base = UnsafeRawPointer(packed.baseAddress!)
            var panel = 0
            while panel * width < n {
                let b = base + panel * k * width * MemoryLayout<Float>.stride
                let columnStart = panel * width
                let lanes = min(width, n - columnStart)
                var row = 0
                let (biasLow, biasHigh) = epilogue.bias(panel: panel)
                // A last panel of at most one vector's columns (100 columns: 96 + 4) computes one vector a row.
                while lanes <= ProductLane.scalarCount && row + 8 <= m {
                    Self.narrow8(a + row * lda, lda, b, k, c + row * n + columnStart, n, lanes, biasLow, relu)
                    if gelu { Self.gelu(c + row * n + columnStart, n, rows: 8, lanes) }
                    row += 8
                }
                #if KAIZEN_WIDE_SIMD
                    // 32 vector registers: eight rows of accumulators fit.
                    while row + 8 <= m {
                        Self.block8(
                            a + row * lda, lda, b, k, c + row * n + columnStart, n, lanes, biasLow, biasHigh, relu)
                        if gelu { Self.gelu(c + row * n + columnStart, n, rows: 8, lanes) }
                        row += 8
                    }
                #else
                    // 16 vector registers: six rows of accumulators (12) leave room for the operands.
                    while row + 6 <= m {
                        Self.block6(
                            a + row * lda, lda, b, k, c + row * n + columnStart, n, lanes, biasLow, biasHigh, relu)
                        if gelu { Self.gelu(c + row * n + columnStart, n, rows: 6, lanes) }
                        row += 6
                    }
                #endif
                while row + 4 <= m {
                    Self.block4(
                        a + row * lda, lda, b, k, c + row * n + columnStart, n, lanes, biasLow, biasHigh, relu)
                    if gelu { Self.gelu(c + row * n + columnStart, n, rows: 4, lanes) }
                    row += 4
                }
                while row < m {
                    Self.block1(a + row * lda, b, k, c + row * n + columnStart, lanes, biasLow, biasHigh, relu)
                    if gelu { Self.gelu(c + row * n + columnStart, n, rows: 1, lanes) }
                    row += 1
                }
                panel += 1
            }
        }
    }

    /// GELU over a block just stored (`rows` rows of `lanes` values, `ldc` apart), while it is in cache. Kept out of
    /// the blocks themselves: inlined there, its constants crowd the accumulators out of the registers.
    @inline(never)
    private static func gelu(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, _ lanes: Int) {
        for row in 0..<rows {
            let target = c + row * ldc
            var j = 0
            while j + ProductLane.scalarCount <= lanes {
                let raw = UnsafeMutableRawPointer(target + j)
                raw.storeBytes(of: VectorMath.gelu(raw.loadUnaligned(as: ProductLane.self)), as: ProductLane.self)
                j += ProductLane.scalarCount
            }
            while j < lanes {
                target[j] = Activation.gelu.apply(target[j])
                j += 1
            }
        }
    }

    @inline(__always)
    private static func block4(
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ lanes: Int, _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
    ) {
        var c00 = ProductLane()
        var c01 = ProductLane()
        var c10 = ProductLane()
        var c11 = ProductLane()
        var c20 = ProductLane()
        var c21 = ProductLane()
        var c30 = ProductLane()
        var c31 = ProductLane()
        let a1 = a + lda
        let a2 = a + 2 * lda
        let a3 = a + 3 * lda
        var p = b
        for kk in 0..<k {
            let b0 = p.loadUnaligned(as: ProductLane.self)
            let b1 = p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self)
            p += 2 * laneBytes
            let x0 = ProductLane(repeating: a[kk])
            c00 = fused(c00, x0, b0)
            c01 = fused(c01, x0, b1)
            let x1 = ProductLane(repeating: a1[kk])
            c10 = fused(c10, x1, b0)
            c11 = fused(c11, x1, b1)
            let x2 = ProductLane(repeating: a2[kk])
            c20 = fused(c20, x2, b0)
            c21 = fused(c21, x2, b1)
            let x3 = ProductLane(repeating: a3[kk])
            c30 = fused(c30, x3, b0)
            c31 = fused(c31, x3, b1)
        }
        store(c00 + biasLow, c01 + biasHigh, c, lanes, relu)
        store(c10 + biasLow, c11 + biasHigh, c + ldc, lanes, relu)
        store(c20 + biasLow, c21 + biasHigh, c + 2 * ldc, lanes, relu)
        store(c30 + biasLow, c31 + biasHigh, c + 3 * ldc, lanes, relu)
    }

    #if KAIZEN_WIDE_SIMD
        @inline(__always)
        private static func block8(
            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>,
            _ ldc: Int, _ lanes: Int, _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
        ) {
            var low = (
                ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(),
                ProductLane()
            )
            var high = low
            let rows = (a, a + lda, a + 2 * lda, a + 3 * lda, a + 4 * lda, a + 5 * lda, a + 6 * lda, a + 7 * lda)
            var p = b
            for kk in 0..<k {
                let b0 = p.loadUnaligned(as: ProductLane.self)
                let b1 = p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self)
                p += 2 * laneBytes
                var x = ProductLane(repeating: rows.0[kk])
                low.0 = fused(low.0, x, b0)
                high.0 = fused(high.0, x, b1)
                x = ProductLane(repeating: rows.1[kk])
                low.1 = fused(low.1, x, b0)
                high.1 = fused(high.1, x, b1)
                x = ProductLane(repeating: rows.2[kk])
                low.2 = fused(low.2, x, b0)
                high.2 = fused(high.2, x, b1)
                x = ProductLane(repeating: rows.3[kk])
                low.3 = fused(low.3, x, b0)
                high.3 = fused(high.3, x, b1)
                x = ProductLane(repeating: rows.4[kk])
                low.4 = fused(low.4, x, b0)
                high.4 = fused(high.4, x, b1)
                x = ProductLane(repeating: rows.5[kk])
                low.5 = fused(low.5, x, b0)
                high.5 = fused(high.5, x, b1)
                x = ProductLane(repeating: rows.6[kk])
                low.6 = fused(low.6, x, b0)
                high.6 = fused(high.6, x, b1)
                x = ProductLane(repeating: rows.7[kk])
                low.7 = fused(low.7, x, b0)
                high.7 = fused(high.7, x, b1)
            }
            store(low.0 + biasLow, high.0 + biasHigh, c, lanes, relu)
            store(low.1 + biasLow, high.1 + biasHigh, c + ldc, lanes, relu)
            store(low.2 + biasLow, high.2 + biasHigh, c + 2 * ldc, lanes, relu)
            store(low.3 + biasLow, high.3 + biasHigh, c + 3 * ldc, lanes, relu)
            store(low.4 + biasLow, high.4 + biasHigh, c + 4 * ldc, lanes, relu)
            store(low.5 + biasLow, high.5 + biasHigh, c + 5 * ldc, lanes, relu)
            store(low.6 + biasLow, high.6 + biasHigh, c + 6 * ldc, lanes, relu)
            store(low.7 + biasLow, high.7 + biasHigh, c + 7 * ldc, lanes, relu)
        }
    #endif

    @inline(__always)
    private static func block6(
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ lanes: Int, _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
    ) {
        var low = (ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane())
        var high = low
        let rows = (a, a + lda, a + 2 * lda, a + 3 * lda, a + 4 * lda, a + 5 * lda)
        var p = b
        for kk in 0..<k {
            let b0 = p.loadUnaligned(as: ProductLane.self)
            let b1 = p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self)
            p += 2 * laneBytes
            var x = ProductLane(repeating: rows.0[kk])
            low.0 = fused(low.0, x, b0)
            high.0 = fused(high.0, x, b1)
            x = ProductLane(repeating: rows.1[kk])
            low.1 = fused(low.1, x, b0)
            high.1 = fused(high.1, x, b1)
            x = ProductLane(repeating: rows.2[kk])
            low.2 = fused(low.2, x, b0)
            high.2 = fused(high.2, x, b1)
            x = ProductLane(repeating: rows.3[kk])
            low.3 = fused(low.3, x, b0)
            high.3 = fused(high.3, x, b1)
            x = ProductLane(repeating: rows.4[kk])
            low.4 = fused(low.4, x, b0)
            high.4 = fused(high.4, x, b1)
            x = ProductLane(repeating: rows.5[kk])
            low.5 = fused(low.5, x, b0)
            high.5 = fused(high.5, x, b1)
        }
        store(low.0 + biasLow, high.0 + biasHigh, c, lanes, relu)
        store(low.1 + biasLow, high.1 + biasHigh, c + ldc, lanes, relu)
        store(low.2 + biasLow, high.2 + biasHigh, c + 2 * ldc, lanes, relu)
        store(low.3 + biasLow, high.3 + biasHigh, c + 3 * ldc, lanes, relu)
        store(low.4 + biasLow, high.4 + biasHigh, c + 4 * ldc, lanes, relu)
        store(low.5 + biasLow, high.5 + biasHigh, c + 5 * ldc, lanes, relu)
    }

    /// Eight rows of a panel's first vector of columns.
    @inline(__always)
    private static func narrow8(
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ lanes: Int, _ bias: ProductLane, _ relu: Bool
    ) {
        var sums = (
            ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(), ProductLane(),
            ProductLane()
        )
        let rows = (a, a + lda, a + 2 * lda, a + 3 * lda, a + 4 * lda, a + 5 * lda, a + 6 * lda, a + 7 * lda)
        var p = b
        for kk in 0..<k {
            let b0 = p.loadUnaligned(as: ProductLane.self)
            p += 2 * laneBytes
            sums.0 = fused(sums.0, ProductLane(repeating: rows.0[kk]), b0)
            sums.1 = fused(sums.1, ProductLane(repeating: rows.1[kk]), b0)
            sums.2 = fused(sums.2, ProductLane(repeating: rows.2[kk]), b0)
            sums.3 = fused(sums.3, ProductLane(repeating: rows.3[kk]), b0)
            sums.4 = fused(sums.4, ProductLane(repeating: rows.4[kk]), b0)
            sums.5 = fused(sums.5, ProductLane(repeating: rows.5[kk]), b0)
            sums.6 = fused(sums.6, ProductLane(repeating: rows.6[kk]), b0)
            sums.7 = fused(sums.7, ProductLane(repeating: rows.7[kk]), b0)
        }
        let zero = ProductLane()
        store(sums.0 + bias, zero, c, lanes, relu)
        store(sums.1 + bias, zero, c + ldc, lanes, relu)
        store(sums.2 + bias, zero, c + 2 * ldc, lanes, relu)
        store(sums.3 + bias, zero, c + 3 * ldc, lanes, relu)
        store(sums.4 + bias, zero, c + 4 * ldc, lanes, relu)
        store(sums.5 + bias, zero, c + 5 * ldc, lanes, relu)
        store(sums.6 + bias, zero, c + 6 * ldc, lanes, relu)
        store(sums.7 + bias, zero, c + 7 * ldc, lanes, relu)
    }

    @inline(__always)
    private static func block1(
        _ a: UnsafePointer<Float>, _ b: UnsafeRawPointer, _ k: Int, _ c: UnsafeMutablePointer<Float>, _ lanes: Int,
        _ biasLow: ProductLane, _ biasHigh: ProductLane, _ relu: Bool
    ) {
        var c0 = ProductLane()
        var c1 = ProductLane()
        var p = b
        for kk in 0..<k {
            let x = ProductLane(repeating: a[kk])
            c0 = fused(c0, x, p.loadUnaligned(as: ProductLane.self))
            c1 = fused(c1, x, p.loadUnaligned(fromByteOffset: laneBytes, as: ProductLane.self))
            p += 2 * laneBytes
        }
        store(c0 + biasLow, c1 + biasHigh, c, lanes, relu)
    }

    @inline(__always)
    private static func store(
        _ low: ProductLane, _ high: ProductLane, _ c: UnsafeMutablePointer<Float>, _ lanes: Int,
        _ relu: Bool
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
        } else if lanes == half {
            UnsafeMutableRawPointer(c).storeBytes(of: low, as: ProductLane.self)
        } else {
            for lane in 0..<lanes { c[lane] = lane < half ? low[lane] : high[lane - half] }
        }
    }
}

extension PackedMatrix {
    fileprivate func multiplyByColumns(
        _ columnsFirst: [Float], _ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>
    ) {
        let (k, n) = (rows, columns)
        columnsFirst.withUnsafeBufferPointer { weights in
            guard let w = weights.baseAddress else { return }
            for row in 0..<m {
                for column in 0..<n {
                    let value = LinearScorer.dot(a + row * lda, w + column * k, k) + (bias.isEmpty ? 0 : bias[column])
                    c[row * n + column] = activation.apply(value)
                }
            }
        }
    }
}

extension PackedMatrix.Activation {
    /// The activation of one value.
    func apply(_ value: Float) -> Float {
        switch self {
        case .none: value
        case .relu: value < 0 ? 0 : value
        case .gelu: VectorMath.gelu(SIMD8<Float>(repeating: value))[0]
        }
    }
}

/// The bias of a packed product, read a panel at a time.
private struct Epilogue {
    let bias: [Float]

    func bias(panel: Int) -> (ProductLane, ProductLane) {
        guard !bias.isEmpty else { return (ProductLane(), ProductLane()) }
        let start = panel * PackedMatrix.panelWidth
        let half = ProductLane.scalarCount
        return (ProductLane(bias[start..<(start + half)]), ProductLane(bias[(start + half)..<(start + 2 * half)]))
    }
}

extension PackedMatrix {
    /// `A[m × rows] · self` as a new row-major array; split across `IntraOpThreads` unless `alone` (for work already
    /// split across them).
    func multiply(_ a: [Float], m: Int, alone: Bool = false) -> [Float] {
        [Float](unsafeUninitializedCapacity: m * columns) { buffer, initialized in
            a.withUnsafeBufferPointer { a in
                if m > 0 && rows > 0 {
                    if alone {
                        multiplyRows(a.baseAddress!, lda: rows, m: m, into: buffer.baseAddress!)
                    } else {
                        multiply(a.baseAddress!, lda: rows, m: m, into: buffer.baseAddress!)
                    }
                } else {
                    buffer.initialize(repeating: 0)
                }
            }
            initialized = m * columns
        }
    }
}
