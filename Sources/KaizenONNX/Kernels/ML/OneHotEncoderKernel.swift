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
