/// The ai.onnx.ml support vector machine operators, `SVMClassifier` and `SVMRegressor` (opset 1).
enum SVMOperators {
    static let definitions: [OperatorDefinition] = [
        .init(.ml, "SVMClassifier") { context throws(ONNXError) in try SVMClassifierKernel(context) },
        .init(.ml, "SVMRegressor") { context throws(ONNXError) in try SVMRegressorKernel(context) },
    ]

    /// MLAS's logistic (`MlasComputeLogistic`, FMA3 kernel), which onnxruntime applies to a row of several scores:
    /// the input clamped to ±18, then a rational polynomial in fused multiply-adds.
    static func approximateLogistic(_ value: Float) -> Float {
        var x: Float = -18 > value ? -18 : value
        x = 18 < x ? 18 : x
        let x2 = x * x
        var p = Float(bitPattern: 0x33f8_4ecb).addingProduct(x2, Float(bitPattern: 0x2e40_3551))
        p = Float(bitPattern: 0x387f_413b).addingProduct(x2, p)
        p = Float(bitPattern: 0x3c0b_7d58).addingProduct(x2, p)
        p = Float(bitPattern: 0x3e7e_3f32).addingProduct(x2, p)
        var q = Float(bitPattern: 0x31c5_f27b).addingProduct(x2, Float(bitPattern: 0x2b2b_c4f5))
        q = Float(bitPattern: 0x36d3_17dd).addingProduct(x2, q)
        q = Float(bitPattern: 0x3adf_153f).addingProduct(x2, q)
        q = Float(bitPattern: 0x3def_3e18).addingProduct(x2, q)
        q = Float(bitPattern: 0x3f7e_3f34).addingProduct(x2, q)
        let result = x * p / q + 0.5
        return 0 > result ? 0 : result
    }

    /// MLAS's tanh (`MlasComputeTanh`, FMA3 kernel), which onnxruntime's SIGMOID SVM kernel uses: the input clamped
    /// to ±9, then Eigen's rational polynomial in fused multiply-adds.
    static func approximateTanh(_ value: Float) -> Float {
        var x: Float = -9 > value ? -9 : value
        x = 9 < x ? 9 : x
        let x2 = x * x
        var p = Float(bitPattern: 0x2a61_337e).addingProduct(x2, Float(bitPattern: 0xa59f_25c0))
        p = Float(bitPattern: 0xaebd_37ff).addingProduct(x2, p)
        p = Float(bitPattern: 0x335c_0041).addingProduct(x2, p)
        p = Float(bitPattern: 0x3779_434a).addingProduct(x2, p)
        p = Float(bitPattern: 0x3a27_0ded).addingProduct(x2, p)
        p = Float(bitPattern: 0x3ba0_59dc).addingProduct(x2, p)
        var q = Float(bitPattern: 0x38f8_95d6).addingProduct(x2, Float(bitPattern: 0x35a0_d3d8))
        q = Float(bitPattern: 0x3b14_aa05).addingProduct(x2, q)
        q = Float(bitPattern: 0x3ba0_59dd).addingProduct(x2, q)
        return x * p / q
    }

    /// The input rows as floats (double and integer inputs are converted), checked against the model's feature count.
    static func rows(_ x: Tensor, featureCount: Int, _ op: String) throws(ONNXError) -> (values: [Float], rows: Int) {
        let rows: Int
        let features: Int
        switch x.rank {
        case 1: (rows, features) = (1, x.shape[0])
        case 2: (rows, features) = (x.shape[0], x.shape[1])
        default:
            throw .invalidArgument("\(op): X must have shape [N, \(featureCount)] or [\(featureCount)], got \(x.shape)")
        }
        guard features == featureCount else {
            throw .invalidArgument(
                "\(op): X has \(features) features per row (shape \(x.shape)), the model expects \(featureCount)")
        }
        switch x.storage {
        case .float(let values): return (values, rows)
        case .double(let values): return (values.map { Float($0) }, rows)
        case .int32(let values): return (values.map { Float($0) }, rows)
        case .int64(let values): return (values.map { Float($0) }, rows)
        default: throw .invalidArgument("\(op): X must be float, double, int32 or int64, got tensor(\(x.elementType))")
        }
    }
}
