/// The `Scan` operator, for the registry: the opset 9 form and, from the same definition, opset 8's batched form.
enum ScanOperator {
    static let definition = OperatorDefinition(.onnx, "Scan", since: 8) { context throws(ONNXError) in
        try ScanKernel(context)
    }
}
