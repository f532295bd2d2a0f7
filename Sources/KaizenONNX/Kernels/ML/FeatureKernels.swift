/// ai.onnx.ml `Scaler`: `(X − offset) · scale` per column (or with one offset and scale for all), as float.
struct ScalerKernel: Kernel {
    let offset: [Float]
    let scale: [Float]

    init(_ context: NodeContext) throws(ONNXError) {
        offset = try context.floats("offset") ?? [0]
        scale = try context.floats("scale") ?? [1]
        guard !offset.isEmpty, !scale.isEmpty else { throw context.invalid("'offset' and 'scale' must not be empty") }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Scaler X")
        let values = try x.floatValues("Scaler X")
        let columns = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        for parameter in [offset, scale] where parameter.count != 1 && parameter.count != columns {
            throw .invalidArgument("Scaler: X has \(columns) columns, the model scales \(parameter.count)")
        }
        var result = values
        for index in result.indices {
            let column = columns == 0 ? 0 : index % columns
            let o = offset.count == 1 ? offset[0] : offset[column]
            let s = scale.count == 1 ? scale[0] : scale[column]
            result[index] = (values[index] - o) * s
        }
        return [.tensor(Tensor(shape: x.shape, values: result))]
    }
}

/// ai.onnx.ml `Normalizer`: each row divided by its max (MAX), sum of magnitudes (L1) or Euclidean norm (L2).
struct NormalizerKernel: Kernel {
    enum Norm: String, Sendable {
        case max = "MAX"
        case l1 = "L1"
        case l2 = "L2"
    }
    let norm: Norm

    init(_ context: NodeContext) throws(ONNXError) {
        let name = try context.string("norm", default: "MAX")
        guard let norm = Norm(rawValue: name) else { throw context.invalid("unknown norm '\(name)'") }
        self.norm = norm
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Normalizer X")
        let (rows, columns) = try x.matrixShape("Normalizer X")
        var values = try x.floatValues("Normalizer X")
        for row in 0..<rows {
            let range = (row * columns)..<((row + 1) * columns)
            let divisor: Float
            switch norm {
            case .max: divisor = values[range].reduce(-Float.greatestFiniteMagnitude) { max($0, $1) }
            case .l1: divisor = values[range].reduce(0) { $0 + abs($1) }
            case .l2: divisor = values[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
            }
            if divisor != 0 { for index in range { values[index] /= divisor } }
        }
        return [.tensor(Tensor(shape: x.shape, values: values))]
    }
}

/// ai.onnx.ml `Imputer`: replaces a marker value (NaN by default for floats) with a per-column value.
struct ImputerKernel: Kernel {
    let floatValues: [Float]
    let replacedFloat: Float
    let intValues: [Int64]
    let replacedInt: Int64

    init(_ context: NodeContext) throws(ONNXError) {
        floatValues = try context.floats("imputed_value_floats") ?? []
        replacedFloat = try context.float("replaced_value_float", default: 0)
        intValues = try context.int64s("imputed_value_int64s") ?? []
        replacedInt = Int64(try context.int("replaced_value_int64", default: 0))
        guard !floatValues.isEmpty || !intValues.isEmpty else {
            throw context.invalid("needs 'imputed_value_floats' or 'imputed_value_int64s'")
        }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Imputer X")
        let columns = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        switch x.storage {
        case .float(let values):
            return [.tensor(Tensor(shape: x.shape, values: try impute(values, columns, floatValues, replacedFloat)))]
        case .double(let values):
            let imputed = try impute(values.map { Float($0) }, columns, floatValues, replacedFloat)
            return [.tensor(Tensor(shape: x.shape, values: imputed))]
        case .int64(let values):
            return [.tensor(Tensor(shape: x.shape, values: try impute(values, columns, intValues, replacedInt)))]
        case .int32(let values):
            let imputed = try impute(values.map { Int64($0) }, columns, intValues, replacedInt)
            return [.tensor(Tensor(shape: x.shape, values: imputed))]
        default:
            throw .invalidArgument("Imputer does not take tensor(\(x.elementType))")
        }
    }

    private func impute<T: NumericElement>(
        _ values: [T], _ columns: Int, _ fill: [T], _ marker: T
    ) throws(ONNXError)
        -> [T]
    {
        guard !fill.isEmpty, fill.count == 1 || fill.count == columns else {
            throw .invalidArgument(
                "Imputer: X has \(columns) columns, the model imputes \(fill.count) of type \(T.elementType)")
        }
        let markerIsNaN = marker != marker
        var result = values
        for index in result.indices {
            let value = values[index]
            if value == marker || (markerIsNaN && value != value) {
                result[index] = fill.count == 1 ? fill[0] : fill[index % columns]
            }
        }
        return result
    }
}

/// ai.onnx.ml `Binarizer`: 1 where the input exceeds `threshold`, else 0, in the input's type.
struct BinarizerKernel: Kernel {
    let threshold: Float

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "Binarizer X")
        switch x.storage {
        case .float(let v): return [.tensor(Tensor(shape: x.shape, values: v.map { $0 > threshold ? Float(1) : 0 }))]
        case .double(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { $0 > Double(threshold) ? Double(1) : 0 }))]
        case .int64(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { Float($0) > threshold ? Int64(1) : 0 }))]
        case .int32(let v):
            return [.tensor(Tensor(shape: x.shape, values: v.map { Float($0) > threshold ? Int32(1) : 0 }))]
        default: throw .invalidArgument("Binarizer does not take tensor(\(x.elementType))")
        }
    }
}

/// ai.onnx.ml `OneHotEncoder`: one float column per category, appended as a new last axis.
struct OneHotEncoderKernel: Kernel {
    let stringIndex: [String: Int]
    let intIndex: [Int64: Int]
    let categoryCount: Int
    let zerosForUnknown: Bool

    init(_ context: NodeContext) throws(ONNXError) {
        let strings = try context.strings("cats_strings") ?? []
        let ints = try context.int64s("cats_int64s") ?? []
        guard strings.isEmpty != ints.isEmpty else {
            throw context.invalid("needs one of 'cats_strings' and 'cats_int64s'")
        }
        var stringIndex: [String: Int] = [:]
        for (index, category) in strings.enumerated() where stringIndex[category] == nil {
            stringIndex[category] = index
        }
        var intIndex: [Int64: Int] = [:]
        for (index, category) in ints.enumerated() where intIndex[category] == nil { intIndex[category] = index }
        self.stringIndex = stringIndex
        self.intIndex = intIndex
        categoryCount = max(strings.count, ints.count)
        zerosForUnknown = try context.int("zeros", default: 1) != 0
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "OneHotEncoder X")
        var positions: [Int?]
        switch x.storage {
        case .string(let values):
            guard !stringIndex.isEmpty else {
                throw .invalidArgument("OneHotEncoder: the model encodes integers, got strings")
            }
            positions = values.map { stringIndex[$0] }
        case .int64(let values): positions = values.map { intIndex[$0] }
        case .int32(let values): positions = values.map { intIndex[Int64($0)] }
        case .float(let values): positions = values.map { $0.isFinite ? intIndex[Int64($0)] : nil }
        case .double(let values): positions = values.map { $0.isFinite ? intIndex[Int64($0)] : nil }
        case .bool: throw .invalidArgument("OneHotEncoder does not take tensor(bool)")
        }
        if case .string = x.storage {
        } else if intIndex.isEmpty {
            throw .invalidArgument("OneHotEncoder: the model encodes strings, got tensor(\(x.elementType))")
        }
        var result = [Float](repeating: 0, count: positions.count * categoryCount)
        for (row, position) in positions.enumerated() {
            if let position {
                result[row * categoryCount + position] = 1
            } else if !zerosForUnknown {
                throw .runtime("OneHotEncoder: value at position \(row) is not a known category")
            }
        }
        return [.tensor(Tensor(shape: x.shape + [categoryCount], values: result))]
    }
}

/// ai.onnx.ml `ZipMap`: turns an `N × C` score matrix into N maps from class label to score.
struct ZipMapKernel: Kernel {
    let keys: MapSequence.Keys

    init(_ context: NodeContext) throws(ONNXError) {
        if let strings = try context.strings("classlabels_strings"), !strings.isEmpty {
            keys = .string(strings)
        } else if let ints = try context.int64s("classlabels_int64s"), !ints.isEmpty {
            keys = .int64(ints)
        } else {
            throw context.invalid("needs 'classlabels_int64s' or 'classlabels_strings'")
        }
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "ZipMap X")
        guard let values = x.floats else {
            throw .invalidArgument("ZipMap takes tensor(float), got tensor(\(x.elementType))")
        }
        let (_, columns) = try x.matrixShape("ZipMap X")
        guard columns == keys.count else {
            throw .invalidArgument("ZipMap: X has \(columns) columns for \(keys.count) class labels")
        }
        return [.mapSequence(MapSequence(keys: keys, values: values))]
    }
}

/// ai.onnx.ml `ArrayFeatureExtractor`: picks elements of the last axis by index.
struct ArrayFeatureExtractorKernel: Kernel {
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "ArrayFeatureExtractor X")
        let indices = try tensor(inputs, 1, "ArrayFeatureExtractor Y").integers("ArrayFeatureExtractor Y")
        guard x.rank >= 1 else { throw .invalidArgument("ArrayFeatureExtractor: X must have rank 1 or more") }
        let width = x.shape[x.rank - 1]
        guard !indices.isEmpty else { throw .invalidArgument("ArrayFeatureExtractor: no indices given") }
        for index in indices where index < 0 || index >= width {
            throw .runtime("ArrayFeatureExtractor: index \(index) is out of range for \(width) columns")
        }
        let rows = width == 0 ? 0 : x.count / width
        var picks: [Int] = []
        picks.reserveCapacity(rows * indices.count)
        for row in 0..<rows {
            for index in indices { picks.append(row * width + index) }
        }
        // onnxruntime returns [1, k] for a 1-D input.
        let shape = x.rank == 1 ? [1, indices.count] : Array(x.shape.dropLast()) + [indices.count]
        return [.tensor(Tensor(unchecked: shape, x.storage.picking(picks)))]
    }
}
