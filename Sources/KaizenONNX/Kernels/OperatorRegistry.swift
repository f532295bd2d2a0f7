/// Every operator Kaizen implements, by domain and name.
enum OperatorRegistry {
    static let definitions: [String: [OperatorDefinition]] = {
        var table: [String: [OperatorDefinition]] = [:]
        for definition in standardOperators + machineLearningOperators {
            table["\(definition.domain.rawValue):\(definition.name)", default: []].append(definition)
        }
        return table
    }()

    /// The implementation of an operator at an opset, or an error that names the node, operator, domain and opset.
    static func definition(
        domain: OperatorDomain, name: String, opset: Int, node: String
    ) throws(ONNXError)
        -> OperatorDefinition
    {
        let label = "node '\(node)' (\(name), domain '\(domain.rawValue)', opset \(opset))"
        guard let candidates = definitions["\(domain.rawValue):\(name)"] else {
            throw .notImplemented(
                "\(label): operator \(name) of domain '\(domain.rawValue)' is not supported by Kaizen")
        }
        guard let match = candidates.first(where: { $0.since <= opset && opset < ($0.until ?? Int.max) }) else {
            let ranges = candidates.map { "\($0.since)\($0.until.map { "..<\($0)" } ?? "+")" }.joined(separator: ", ")
            throw .notImplemented(
                "\(label): Kaizen supports \(name) at opsets \(ranges) of domain '\(domain.rawValue)'")
        }
        return match
    }

    static let standardOperators: [OperatorDefinition] = {
        var list: [OperatorDefinition] = []
        for operation in [
            BinaryKernel.Operation.add, .sub, .mul, .div, .pow, .less, .lessOrEqual, .greater, .greaterOrEqual, .equal,
        ] {
            list.append(.init(.onnx, operation.rawValue, since: 7) { _ in BinaryKernel(operation: operation) })
        }
        for operation in [
            UnaryKernel.Operation.abs, .neg, .sqrt, .exp, .log, .sigmoid, .tanh, .relu, .not, .isNaN, .floor, .ceil,
            .reciprocal,
        ] {
            // Not has kept its definition since opset 1; the others changed type constraints at opset 6.
            list.append(
                .init(.onnx, operation.rawValue, since: operation == .not ? 1 : 6) { _ in
                    UnaryKernel(operation: operation)
                })
        }
        for operation in [VariadicKernel.Operation.sum, .max, .min, .mean] {
            list.append(.init(.onnx, operation.rawValue, since: 6) { _ in VariadicKernel(operation: operation) })
        }
        list.append(.init(.onnx, "Erf", since: 9) { _ in UnaryKernel(operation: .erf) })
        list.append(
            .init(.onnx, "Gelu", since: 20) { context throws(ONNXError) in
                switch try context.string("approximate") ?? "none" {
                case "none": return UnaryKernel(operation: .gelu)
                case "tanh": return UnaryKernel(operation: .geluTanh)
                case let other: throw context.invalid("'approximate' must be none or tanh, not '\(other)'")
                }
            })
        list.append(
            .init(.onnx, "LayerNormalization", since: 17) { context throws(ONNXError) in
                let stash = try context.int("stash_type", default: 1)
                guard stash == 1 else { throw context.unsupported("stash_type \(stash) is not supported (1 is)") }
                return LayerNormalizationKernel(
                    axis: try context.int("axis", default: -1),
                    epsilon: Double(try context.float("epsilon", default: 1e-5)))
            })
        list.append(
            .init(.onnx, "Slice", since: 1, until: 10) { context throws(ONNXError) in
                SliceKernel(
                    attributes: (
                        try context.required("starts", context.ints), try context.required("ends", context.ints),
                        try context.ints("axes")
                    ))
            })
        list.append(.init(.onnx, "Slice", since: 10) { _ in SliceKernel(attributes: nil) })
        list.append(.init(.onnx, "Expand", since: 8) { _ in ExpandKernel() })
        list.append(.init(.onnx, "Range", since: 11) { _ in RangeKernel() })
        list.append(
            .init(.onnx, "CumSum", since: 11) { context throws(ONNXError) in
                CumSumKernel(
                    exclusive: try context.int("exclusive", default: 0) != 0,
                    reverse: try context.int("reverse", default: 0) != 0)
            })
        list.append(.init(.onnx, "Identity") { _ in IdentityKernel() })
        list.append(.init(.onnx, "Where", since: 9) { _ in WhereKernel() })
        list.append(
            .init(.onnx, "Cast", since: 6) { context throws(ONNXError) in
                let to = try context.required("to", context.int)
                guard let target = ElementType(onnxDataType: Int32(truncatingIfNeeded: to)) else {
                    throw context.unsupported(
                        "casting to \(ElementType.onnxName(Int32(truncatingIfNeeded: to))) is not supported")
                }
                // A cast to half precision rounds to it, though the value is kept as a float.
                return CastKernel(
                    target: target,
                    rounding: ElementType.isHalfPrecision(Int32(truncatingIfNeeded: to))
                        ? Int32(truncatingIfNeeded: to) : nil)
            })
        list.append(
            .init(.onnx, "Reshape", since: 5) { context throws(ONNXError) in
                ReshapeKernel(allowZero: try context.int("allowzero", default: 0) != 0)
            })
        list.append(
            .init(.onnx, "Flatten") { context throws(ONNXError) in
                FlattenKernel(axis: try context.int("axis", default: 1))
            })
        list.append(
            .init(.onnx, "Squeeze") { context throws(ONNXError) in
                SqueezeKernel(unsqueeze: false, attributeAxes: context.opset < 13 ? try context.ints("axes") : nil)
            })
        list.append(
            .init(.onnx, "Unsqueeze") { context throws(ONNXError) in
                SqueezeKernel(unsqueeze: true, attributeAxes: context.opset < 13 ? try context.ints("axes") ?? [] : nil)
            })
        list.append(
            .init(.onnx, "Transpose") { context throws(ONNXError) in
                TransposeKernel(permutation: try context.ints("perm"))
            })
        list.append(
            .init(.onnx, "Concat", since: 4) { context throws(ONNXError) in
                ConcatKernel(axis: try context.required("axis", context.int))
            })
        list.append(
            .init(.onnx, "Gather") { context throws(ONNXError) in
                GatherKernel(axis: try context.int("axis", default: 0))
            })
        list.append(
            .init(.onnx, "Shape") { context throws(ONNXError) in
                ShapeKernel(start: try context.int("start", default: 0), end: try context.int("end"))
            })
        list.append(
            .init(.onnx, "ConstantOfShape", since: 9) { context throws(ONNXError) in
                let value = try context.tensor("value") ?? Tensor(unchecked: [1], .float([0]))
                guard value.count == 1 else { throw context.invalid("'value' must hold one element") }
                return ConstantOfShapeKernel(value: value)
            })
        list.append(
            .init(.onnx, "Constant") { context throws(ONNXError) in
                if let value = try context.tensor("value") { return ConstantKernel(value: value) }
                if let value = try context.float("value_float") {
                    return ConstantKernel(value: Tensor(unchecked: [], .float([value])))
                }
                if let value = try context.floats("value_floats") {
                    return ConstantKernel(value: Tensor(unchecked: [value.count], .float(value)))
                }
                if let value = try context.int("value_int") {
                    return ConstantKernel(value: Tensor(unchecked: [], .int64([Int64(value)])))
                }
                if let value = try context.int64s("value_ints") {
                    return ConstantKernel(value: Tensor(unchecked: [value.count], .int64(value)))
                }
                if let value = try context.string("value_string") {
                    return ConstantKernel(value: Tensor(unchecked: [], .string([value])))
                }
                if let value = try context.strings("value_strings") {
                    return ConstantKernel(value: Tensor(unchecked: [value.count], .string(value)))
                }
                throw context.unsupported("a Constant needs 'value' (sparse constants are not supported)")
            })
        for operation in [ReduceKernel.Operation.sum, .mean, .prod, .sumSquare, .logSumExp, .max, .min, .l1, .l2] {
            let inputFrom = operation == .sum ? 13 : 18
            list.append(
                .init(.onnx, operation.rawValue) { context throws(ONNXError) in
                    let axesFromInput = context.opset >= inputFrom
                    return ReduceKernel(
                        operation: operation, attributeAxes: axesFromInput ? nil : try context.ints("axes"),
                        axesFromInput: axesFromInput, keepDims: try context.int("keepdims", default: 1) != 0,
                        noopWithEmptyAxes: try context.int("noop_with_empty_axes", default: 0) != 0)
                })
        }
        for name in ["ArgMax", "ArgMin"] {
            list.append(
                .init(.onnx, name) { context throws(ONNXError) in
                    ArgMaxKernel(
                        isMin: name == "ArgMin", axis: try context.int("axis", default: 0),
                        keepDims: try context.int("keepdims", default: 1) != 0,
                        selectLastIndex: try context.int("select_last_index", default: 0) != 0)
                })
        }
        for name in ["Softmax", "LogSoftmax"] {
            list.append(
                .init(.onnx, name) { context throws(ONNXError) in
                    let flattens = context.opset < 13
                    return SoftmaxKernel(
                        axis: try context.int("axis", default: flattens ? 1 : -1), flattens: flattens,
                        isLog: name == "LogSoftmax")
                })
        }
        list.append(
            .init(.onnx, "TopK") { context throws(ONNXError) in
                guard try context.int("sorted", default: 1) != 0 else {
                    throw context.unsupported("sorted = 0 is not supported")
                }
                return TopKKernel(
                    axis: try context.int("axis", default: -1), largest: try context.int("largest", default: 1) != 0,
                    attributeK: context.opset < 10 ? try context.required("k", context.int) : nil)
            })
        list.append(ScanOperator.definition)
        list.append(.init(.onnx, "MatMul") { context in MatMulKernel(constantB: context.constantInputs[1]) })
        list.append(
            .init(.onnx, "Gemm") { context throws(ONNXError) in
                GemmKernel(
                    transA: try context.int("transA", default: 0) != 0,
                    transB: try context.int("transB", default: 0) != 0,
                    alpha: try context.float("alpha", default: 1), beta: try context.float("beta", default: 1),
                    constantB: context.constantInputs[1])
            })
        return list
    }()

    static let machineLearningOperators: [OperatorDefinition] =
        [
            .init(.ml, "LinearClassifier") { context throws(ONNXError) in try LinearClassifierKernel(context) },
            .init(.ml, "LinearRegressor") { context throws(ONNXError) in try LinearRegressorKernel(context) },
            .init(.ml, "Normalizer") { context throws(ONNXError) in try NormalizerKernel(context) },
            .init(.ml, "Scaler") { context throws(ONNXError) in try ScalerKernel(context) },
            .init(.ml, "Imputer") { context throws(ONNXError) in try ImputerKernel(context) },
            .init(.ml, "Binarizer") { context throws(ONNXError) in
                BinarizerKernel(threshold: try context.float("threshold", default: 0))
            },
            .init(.ml, "OneHotEncoder") { context throws(ONNXError) in try OneHotEncoderKernel(context) },
            .init(.ml, "ZipMap") { context throws(ONNXError) in try ZipMapKernel(context) },
            .init(.ml, "ArrayFeatureExtractor") { _ in ArrayFeatureExtractorKernel() },
            .init(.ml, "LabelEncoder") { context throws(ONNXError) in try LabelEncoderKernel(context) },
            // Deprecated in ai.onnx.ml opset 5 (models importing 5 must use TreeEnsemble), as onnxruntime enforces.
            .init(.ml, "TreeEnsembleClassifier", until: 5) { context throws(ONNXError) in
                try TreeEnsembleClassifierKernel(context)
            },
            .init(.ml, "TreeEnsembleRegressor", until: 5) { context throws(ONNXError) in
                try TreeEnsembleRegressorKernel(context)
            },
            .init(.ml, "TreeEnsemble", since: 5) { context throws(ONNXError) in
                try TreeEnsembleV5Kernel<Float>.make(context)
            },
        ] + SVMOperators.definitions
}
