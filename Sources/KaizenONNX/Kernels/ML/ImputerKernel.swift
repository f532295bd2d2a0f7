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
