/// onnxruntime's single-precision GEMM as its SVM kernels call it, `alpha · A · Bᵀ (+ bias)`, summed in the order
/// MLAS sums on x86-64 with AVX2 and FMA, so that SVM scores match onnxruntime's to the bit on such machines.
///
/// MLAS has two paths: one row with alpha = 1 goes through its M = 1 kernel (eight non-fused lane sums, reduced in
/// an order that depends on how many columns are left); everything else through the blocked kernel (fused
/// multiply-adds in K order, K in blocks of 128 to 1024, each block added to the output with a fused
/// `acc · alpha + c`).
enum ReferenceGemm {
    /// `rows × columns` results from `a` (`rows × depth`) and `b` (`columns × depth`), both row-major.
    static func multiply(
        _ a: [Float], rows: Int, _ b: [Float], columns: Int, depth: Int, alpha: Float = 1, bias: Float? = nil
    ) -> [Float] {
        var result = [Float](repeating: 0, count: rows * columns)
        guard rows > 0, columns > 0, depth > 0, a.count >= rows * depth, b.count >= columns * depth else {
            return result
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { result in
                    if rows == 1 && alpha == 1 {
                        singleRow(a, b, columns: columns, depth: depth, bias: bias ?? 0, into: result)
                    } else {
                        blocked(
                            a, rows: rows, b, columns: columns, depth: depth, alpha: alpha, bias: bias, into: result)
                    }
                }
            }
        }
        return result
    }

    /// MLAS's `MlasSgemmKernelM1TransposeBAvx`.
    private static func singleRow(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int, bias: Float,
        into result: UnsafeMutableBufferPointer<Float>
    ) {
        func lanes(_ column: Int) -> SIMD8<Float> {
            var sums = SIMD8<Float>()
            let base = column * depth
            var k = 0
            while k + 8 <= depth {
                var x = SIMD8<Float>()
                var y = SIMD8<Float>()
                for lane in 0..<8 {
                    x[lane] = a[k + lane]
                    y[lane] = b[base + k + lane]
                }
                sums += x * y
                k += 8
            }
            if k < depth {
                var x = SIMD8<Float>()
                var y = SIMD8<Float>()
                for lane in 0..<(depth - k) {
                    x[lane] = a[k + lane]
                    y[lane] = b[base + k + lane]
                }
                sums += x * y
            }
            return sums
        }
        var column = 0
        while columns - column >= 4 {
            for index in column..<(column + 4) {
                let s = lanes(index)
                result[index] = ((((s[0] + s[1]) + s[2]) + s[3]) + (((s[4] + s[5]) + s[6]) + s[7])) + bias
            }
            column += 4
        }
        if columns - column >= 2 {
            for index in column..<(column + 2) {
                let s = lanes(index)
                result[index] = (((s[0] + s[2]) + (s[4] + s[6])) + ((s[1] + s[3]) + (s[5] + s[7]))) + bias
            }
            column += 2
        }
        if column < columns {
            let s = lanes(column)
            result[column] = (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) + bias
        }
    }

    /// MLAS's blocked SGEMM (`MlasSgemmKernelFma3`), eight columns at a time as MLAS does, each lane a fused
    /// multiply-add chain in K order.
    private static func blocked(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        // MlasSgemmOperation's K stride: 128, doubled while the N stride can halve for a narrow B.
        var strideN = 128
        var strideK = 128
        if columns >= depth {
            while strideK / 2 >= depth {
                strideN *= 2
                strideK /= 2
            }
        } else {
            while strideN > 16 && strideN / 2 >= columns {
                strideK *= 2
                strideN /= 2
            }
        }
        var row = 0
        if columns < 8 {
            // A narrow B (SVMRegressor's one column of coefficients): eight rows side by side in the SIMD lanes.
            narrow(
                a, rows: rows, b, columns: columns, depth: depth, strideK: strideK, alpha: alpha, bias: bias,
                into: result)
            row = rows / 8 * 8
        }
        if row < rows {
            chains(
                UnsafeBufferPointer(rebasing: a[(row * depth)...]), rows: rows - row, b, columns: columns, depth: depth,
                strideK: strideK, alpha: alpha, bias: bias,
                into: UnsafeMutableBufferPointer(rebasing: result[(row * columns)...]))
        }
    }

    /// The first `rows / 8 * 8` rows, eight rows per SIMD vector, each lane one output's chain in K order.
    private static func narrow(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        strideK: Int, alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        let scale = SIMD8<Float>(repeating: alpha)
        for column in 0..<columns {
            let weights = column &* depth
            var row = 0
            while row + 8 <= rows {
                var output = SIMD8<Float>(repeating: bias ?? 0)
                var zeroMode = bias == nil
                var start = 0
                while start < depth {
                    let end = min(start + strideK, depth)
                    var sum = SIMD8<Float>()
                    for k in start..<end {
                        let p = row &* depth &+ k
                        let x = SIMD8<Float>(
                            a[p], a[p &+ depth], a[p &+ 2 &* depth], a[p &+ 3 &* depth], a[p &+ 4 &* depth],
                            a[p &+ 5 &* depth], a[p &+ 6 &* depth], a[p &+ 7 &* depth])
                        sum = sum.addingProduct(x, SIMD8(repeating: b[weights &+ k]))
                    }
                    output = zeroMode ? sum * scale : output.addingProduct(sum, scale)
                    zeroMode = false
                    start = end
                }
                for lane in 0..<8 { result[(row + lane) * columns + column] = output[lane] }
                row += 8
            }
        }
    }

    /// `alpha · A · Bᵀ (+ bias)`, each output one chain of fused multiply-adds in K order per K block of `strideK`.
    private static func chains(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int,
        strideK: Int, alpha: Float, bias: Float?, into result: UnsafeMutableBufferPointer<Float>
    ) {
        // B in blocks of eight columns, K-major within a block (`[block][k][8]`, the last block zero-padded).
        let blockCount = (columns + 7) / 8
        var packed = [Float](repeating: 0, count: blockCount * depth * 8)
        for column in 0..<columns {
            let lane = (column / 8) &* depth &* 8 &+ column % 8
            let source = column &* depth
            for k in 0..<depth { packed[lane &+ k &* 8] = b[source &+ k] }
        }
        let scale = SIMD8<Float>(repeating: alpha)
        let initial = SIMD8<Float>(repeating: bias ?? 0)
        packed.withUnsafeBytes { packed in
            // Four rows side by side (as MLAS keeps several rows in registers), so that four independent chains of
            // fused multiply-adds overlap; every output is still its own chain in K order.
            var row = 0
            while row < rows {
                let group = rows - row >= 4 ? 4 : 1
                for block in 0..<blockCount {
                    let weights = block &* depth
                    var outputs = (initial, initial, initial, initial)
                    var zeroMode = bias == nil
                    var start = 0
                    while start < depth {
                        let end = min(start + strideK, depth)
                        var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
                        let base = row &* depth
                        if group == 4 {
                            for k in start..<end {
                                let column = packed.loadUnaligned(
                                    fromByteOffset: (weights &+ k) &* 32, as: SIMD8<Float>.self)
                                sums.0 = sums.0.addingProduct(SIMD8(repeating: a[base &+ k]), column)
                                sums.1 = sums.1.addingProduct(SIMD8(repeating: a[base &+ depth &+ k]), column)
                                sums.2 = sums.2.addingProduct(SIMD8(repeating: a[base &+ 2 &* depth &+ k]), column)
                                sums.3 = sums.3.addingProduct(SIMD8(repeating: a[base &+ 3 &* depth &+ k]), column)
                            }
                        } else {
                            for k in start..<end {
                                let column = packed.loadUnaligned(
                                    fromByteOffset: (weights &+ k) &* 32, as: SIMD8<Float>.self)
                                sums.0 = sums.0.addingProduct(SIMD8(repeating: a[base &+ k]), column)
                            }
                        }
                        if zeroMode {
                            outputs = (sums.0 * scale, sums.1 * scale, sums.2 * scale, sums.3 * scale)
                        } else {
                            outputs.0 = outputs.0.addingProduct(sums.0, scale)
                            outputs.1 = outputs.1.addingProduct(sums.1, scale)
                            outputs.2 = outputs.2.addingProduct(sums.2, scale)
                            outputs.3 = outputs.3.addingProduct(sums.3, scale)
                        }
                        zeroMode = false
                        start = end
                    }
                    let first = block * 8
                    let lanes = min(8, columns - first)
                    func store(_ output: SIMD8<Float>, _ offset: Int) {
                        for lane in 0..<lanes { result[(row + offset) * columns + first + lane] = output[lane] }
                    }
                    store(outputs.0, 0)
                    if group == 4 {
                        store(outputs.1, 1)
                        store(outputs.2, 2)
                        store(outputs.3, 3)
                    }
                }
                row += group
            }
        }
    }
}
