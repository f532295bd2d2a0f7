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
