/// `LayerNormalization` (opset 17): each slice over the axes from `axis` on is normalized to mean 0 and variance 1
/// (with `epsilon` added to the variance), then scaled and shifted by `Scale` and `B`, which broadcast against the
/// normalized axes. The optional outputs are each slice's mean and inverse standard deviation. Statistics are
/// accumulated in the tensor's type (float 16 lanes at a time), the variance from the deviations about the mean (two
/// passes).
///
/// A layer normalization that an exporter wrote as separate operators (before opset 17) is fused into this kernel at
/// load, with its scale and bias as `constants` (`LayerNormalizationFusion`).
struct LayerNormalizationKernel: Kernel {
    let axis: Int
    let epsilon: Double
    /// Scale and bias held by the kernel (a fused chain), instead of read from inputs 1 and 2.
    var constants: (scale: Tensor, bias: Tensor)? = nil

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "LayerNormalization X")
        let scale: Tensor
        let bias: Tensor?
        if let constants {
            (scale, bias) = constants
        } else {
            scale = try tensor(inputs, 1, "LayerNormalization Scale")
            bias = try optionalTensor(inputs, 2, "LayerNormalization B")
        }
        switch x.storage {
        case .float(let values): return try normalizeFloats(values, x, scale: scale, bias: bias)
        case .double(let values): return try normalize(values, x, scale: scale, bias: bias)
        default: throw .invalidArgument("LayerNormalization takes float or double, got tensor(\(x.elementType))")
        }
    }

    /// The normalized slices of `x`: the first normalized axis, each slice's size, how many slices, and the scale
    /// and bias spread over one slice as `T`.
    private func slices<T: FloatElement>(
        of x: Tensor, scale: Tensor, bias: Tensor?, as _: T.Type
    ) throws(ONNXError) -> (axis: Int, size: Int, outer: Int, gains: [T], shifts: [T]?) {
        let axis = try x.axis(self.axis, "LayerNormalization")
        let normalizedShape = Array(x.shape[axis...])
        let gains = try Self.spread(scale, over: normalizedShape, as: T.self, "LayerNormalization Scale")
        let shifts = try bias.map { bias throws(ONNXError) in
            try Self.spread(bias, over: normalizedShape, as: T.self, "LayerNormalization B")
        }
        return (axis, normalizedShape.reduce(1, *), x.shape[..<axis].reduce(1, *), gains, shifts)
    }

    private func normalize<T: FloatElement>(
        _ values: [T], _ x: Tensor, scale: Tensor, bias: Tensor?
    ) throws(ONNXError) -> [Value] {
        let (axis, size, outer, gains, shifts) = try slices(of: x, scale: scale, bias: bias, as: T.self)
        var output = [T](repeating: 0, count: values.count)
        var means = [T](repeating: 0, count: outer)
        var inverseDeviations = [T](repeating: 0, count: outer)
        guard size > 0 else {
            return Self.outputs(output, x.shape, means, inverseDeviations, axis: axis)
        }
        for slice in 0..<outer {
            let base = slice * size
            var sum = 0.0
            for index in base..<base + size { sum += values[index].asDouble }
            let mean = sum / Double(size)
            var squares = 0.0
            for index in base..<base + size {
                let deviation = values[index].asDouble - mean
                squares += deviation * deviation
            }
            let variance = squares / Double(size)
            let inverse = 1 / (variance + epsilon).squareRoot()
            means[slice] = T(converting: mean)
            inverseDeviations[slice] = T(converting: inverse)
            for index in 0..<size {
                let normalized = (values[base + index].asDouble - mean) * inverse
                var y = T(converting: normalized) * gains[index]
                if let shifts { y += shifts[index] }
                output[base + index] = y
            }
        }
        return Self.outputs(output, x.shape, means, inverseDeviations, axis: axis)
    }

    /// `normalize` for float, 16 values at a time: the sums in float over 16 lanes (pairwise enough to stay well
    /// inside the 1e-4 that parity allows; onnxruntime accumulates in float too), the deviations about the mean.
    private func normalizeFloats(
        _ values: [Float], _ x: Tensor, scale: Tensor, bias: Tensor?
    ) throws(ONNXError) -> [Value] {
        let (axis, size, outer, gains, bias) = try slices(of: x, scale: scale, bias: bias, as: Float.self)
        let shifts = bias ?? [Float](repeating: 0, count: size)
        var means = [Float](repeating: 0, count: outer)
        var inverseDeviations = [Float](repeating: 0, count: outer)
        let epsilon = self.epsilon
        let output = [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                gains.withUnsafeBufferPointer { gains in
                    shifts.withUnsafeBufferPointer { shifts in
                        means.withUnsafeMutableBufferPointer { means in
                            inverseDeviations.withUnsafeMutableBufferPointer { inverses in
                                // Rows apart across the call's threads (a batch of sequences has thousands).
                                let shared = UncheckedSendable((source, gains, shifts, means, inverses, out))
                                IntraOpThreads.split(size > 0 ? outer : 0, work: values.count * 4) { range in
                                    let (source, gains, shifts, means, inverses, out) = shared.value
                                    for slice in range {
                                        let row = source.baseAddress! + slice * size
                                        let (mean, inverse) = Self.statistics(row, size, epsilon: epsilon)
                                        means[slice] = mean
                                        inverses[slice] = inverse
                                        Self.scaled(
                                            row, size, mean: mean, inverse: inverse, gains.baseAddress!,
                                            shifts.baseAddress!, into: out.baseAddress! + slice * size)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = values.count
        }
        return Self.outputs(output, x.shape, means, inverseDeviations, axis: axis)
    }

    typealias Lane = SIMD16<Float>

    /// The mean and the inverse standard deviation (with `epsilon`) of `count` floats.
    @inline(__always)
    static func statistics(_ row: UnsafePointer<Float>, _ count: Int, epsilon: Double) -> (Float, Float) {
        let raw = UnsafeRawPointer(row)
        let width = Lane.scalarCount
        var sums = Lane()
        var j = 0
        while j + width <= count {
            sums += raw.loadUnaligned(fromByteOffset: j * 4, as: Lane.self)
            j += width
        }
        var sum = sums.sum()
        while j < count {
            sum += row[j]
            j += 1
        }
        let mean = sum / Float(count)
        let means = Lane(repeating: mean)
        var squares = Lane()
        j = 0
        while j + width <= count {
            let deviation = raw.loadUnaligned(fromByteOffset: j * 4, as: Lane.self) - means
            squares += deviation * deviation
            j += width
        }
        var square = squares.sum()
        while j < count {
            square += (row[j] - mean) * (row[j] - mean)
            j += 1
        }
        let variance = Double(square) / Double(count)
        return (mean, Float(1 / (variance + epsilon).squareRoot()))
    }

    /// `(row - mean) · inverse · gain + shift` into `out`.
    @inline(__always)
    static func scaled(
        _ row: UnsafePointer<Float>, _ count: Int, mean: Float, inverse: Float, _ gains: UnsafePointer<Float>,
        _ shifts: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let (raw, gainBytes, shiftBytes, target) = (
            UnsafeRawPointer(row), UnsafeRawPointer(gains), UnsafeRawPointer(shifts), UnsafeMutableRawPointer(out)
        )
        let width = Lane.scalarCount
        let (means, inverses) = (Lane(repeating: mean), Lane(repeating: inverse))
        var j = 0
        while j + width <= count {
            let normalized = (raw.loadUnaligned(fromByteOffset: j * 4, as: Lane.self) - means) * inverses
            let gain = gainBytes.loadUnaligned(fromByteOffset: j * 4, as: Lane.self)
            let shift = shiftBytes.loadUnaligned(fromByteOffset: j * 4, as: Lane.self)
            target.storeBytes(of: normalized * gain + shift, toByteOffset: j * 4, as: Lane.self)
            j += width
        }
        while j < count {
            out[j] = (row[j] - mean) * inverse * gains[j] + shifts[j]
            j += 1
        }
    }

    private static func outputs<T: FloatElement>(
        _ output: [T], _ shape: [Int], _ means: [T], _ inverseDeviations: [T], axis: Int
    ) -> [Value] {
        let statisticsShape = shape.enumerated().map { $0.offset < axis ? $0.element : 1 }
        return [
            .tensor(Tensor(shape: shape, values: output)), .tensor(Tensor(shape: statisticsShape, values: means)),
            .tensor(Tensor(shape: statisticsShape, values: inverseDeviations)),
        ]
    }

    /// `tensor`'s values broadcast to `shape` (row-major), as `T`.
    private static func spread<T: FloatElement>(
        _ tensor: Tensor, over shape: [Int], as _: T.Type, _ what: String
    ) throws(ONNXError) -> [T] {
        let values = try tensor.values(as: T.self, what)
        guard tensor.shape != shape else { return values }
        let broadcast = try Broadcast.shape(tensor.shape, shape)
        guard broadcast == shape else {
            throw .invalidArgument("\(what) of shape \(tensor.shape) does not broadcast to the normalized \(shape)")
        }
        return Broadcast.indices(from: tensor.shape, to: shape).map { values[$0] }
    }
}
