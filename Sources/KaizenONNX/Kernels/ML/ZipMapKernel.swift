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
