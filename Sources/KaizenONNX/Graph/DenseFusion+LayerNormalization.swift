extension DenseFusion {
    /// Finds layer normalizations written as separate operators over the last axis, as PyTorch's exporter writes
    /// them before opset 17: `mean = ReduceMean(x)`, `d = Sub(x, mean)`, `ReduceMean(Pow(d, 2))`, `Add` of a constant
    /// epsilon, `Sqrt`, `Div(d, ·)`, `Mul` by a constant scale, `Add` of a constant bias; each becomes one
    /// `LayerNormalizationKernel`. Every intermediate value must have only the chain's readers and not be a graph
    /// output.
    mutating func findLayerNormalizations(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>, opset: Int
    ) {
        var readers: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for name in Set(node.input) where !name.isEmpty { readers[name, default: []].append(index) }
        }
        func onnx(_ index: Int, _ opType: String) -> Onnx_NodeProto? {
            let node = nodes[index]
            guard node.opType == opType, OperatorDomain(name: node.domain) == .onnx, node.output.count == 1,
                !absorbed.contains(index), dense[index] == nil
            else { return nil }
            return node
        }
        func sole(_ name: String, _ opType: String) -> (Int, Onnx_NodeProto)? {
            guard !graphOutputs.contains(name), let list = readers[name], list.count == 1,
                let node = onnx(list[0], opType)
            else { return nil }
            return (list[0], node)
        }
        func scalar(_ name: String) -> Double? {
            guard case .tensor(let tensor)? = constants[name], tensor.count == 1 else { return nil }
            switch tensor.storage {
            case .float(let values): return Double(values[0])
            case .double(let values): return values[0]
            default: return nil
            }
        }
        /// The other input of a two-input node, when one of them is `name`.
        func other(_ node: Onnx_NodeProto, than name: String) -> String? {
            guard node.input.count == 2, node.input[0] != node.input[1] else { return nil }
            return node.input[0] == name ? node.input[1] : node.input[1] == name ? node.input[0] : nil
        }
        /// A mean over the last axis only, keeping dimensions.
        func meanOverLastAxis(_ node: Onnx_NodeProto) -> Bool {
            var keep = true
            var axes: [Int64]? = nil
            for attribute in node.attribute {
                if attribute.name == "keepdims" { keep = attribute.i != 0 }
                if attribute.name == "axes" { axes = attribute.ints }
            }
            if opset >= 18, node.input.count == 2, case .tensor(let tensor)? = constants[node.input[1]],
                case .int64(let values) = tensor.storage
            {
                axes = values
            }
            return keep && axes == [-1]
        }
        for (index, _) in nodes.enumerated() {
            guard let mean = onnx(index, "ReduceMean"), meanOverLastAxis(mean), let x = mean.input.first,
                constants[x] == nil,
                let (subIndex, sub) = sole(mean.output[0], "Sub"), sub.input == [x, mean.output[0]],
                !graphOutputs.contains(sub.output[0]), let deviationReaders = readers[sub.output[0]],
                deviationReaders.count == 2,
                let powIndex = deviationReaders.first(where: { onnx($0, "Pow") != nil }),
                let divIndex = deviationReaders.first(where: { onnx($0, "Div") != nil }),
                nodes[powIndex].input.first == sub.output[0], nodes[powIndex].input.count == 2,
                scalar(nodes[powIndex].input[1]) == 2,
                let (varianceIndex, variance) = sole(nodes[powIndex].output[0], "ReduceMean"),
                meanOverLastAxis(variance),
                let (addIndex, add) = sole(variance.output[0], "Add"),
                let epsilon = other(add, than: variance.output[0]).flatMap(scalar),
                let (sqrtIndex, sqrt) = sole(add.output[0], "Sqrt"),
                let (soleDiv, _) = sole(sqrt.output[0], "Div"), soleDiv == divIndex,
                nodes[divIndex].input == [sub.output[0], sqrt.output[0]],
                let (mulIndex, mul) = sole(nodes[divIndex].output[0], "Mul"),
                let scaleName = other(mul, than: nodes[divIndex].output[0]),
                case .tensor(let scale)? = constants[scaleName], scale.rank <= 1,
                let (biasIndex, biasAdd) = sole(mul.output[0], "Add"),
                let biasName = other(biasAdd, than: mul.output[0]),
                case .tensor(let bias)? = constants[biasName], bias.rank <= 1
            else { continue }
            let kernel = LayerNormalizationKernel(axis: -1, epsilon: epsilon, constants: (scale, bias))
            dense[index] = Fused(kernel: FirstOutput(kernel: kernel), output: biasAdd.output[0])
            absorbed.formUnion([subIndex, powIndex, varianceIndex, addIndex, sqrtIndex, divIndex, mulIndex, biasIndex])
        }
    }
}

/// A kernel's first output only (a fused chain's one result).
struct FirstOutput: Kernel {
    let kernel: any Kernel

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        Array(try kernel.run(inputs).prefix(1))
    }
}
