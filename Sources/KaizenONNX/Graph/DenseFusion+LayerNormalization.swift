extension DenseFusion {
    /// Finds layer normalizations written as separate operators over the last axis, as PyTorch's exporter writes
    /// them before opset 17: `mean = ReduceMean(x)`, `d = Sub(x, mean)`, `ReduceMean(Pow(d, 2))`, `Add` of a constant
    /// epsilon, `Sqrt`, `Div(d, ·)`, `Mul` by a constant scale, `Add` of a constant bias; each becomes one
    /// `LayerNormalizationKernel`. Every intermediate value must have only the chain's readers and not be a graph
    /// output.
    mutating func findLayerNormalizations(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>, opset: Int
    ) {
        let graph = FusionGraph(nodes, constants: constants, graphOutputs: graphOutputs)
        // Nested functions read the fusion as it grows, so a chain taken earlier in the pass is not taken twice.
        func onnx(_ index: Int, _ opType: String) -> Onnx_NodeProto? { unfused(index, opType, in: graph) }
        func sole(_ name: String, _ opType: String) -> (Int, Onnx_NodeProto)? {
            unfusedSoleReader(of: name, opType, in: graph)
        }
        let readers = graph.readers
        let scalar = graph.scalar

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
                let epsilon = graph.other(add, than: variance.output[0]).flatMap(scalar),
                let (sqrtIndex, sqrt) = sole(add.output[0], "Sqrt"),
                let (soleDiv, _) = sole(sqrt.output[0], "Div"), soleDiv == divIndex,
                nodes[divIndex].input == [sub.output[0], sqrt.output[0]],
                let (mulIndex, mul) = sole(nodes[divIndex].output[0], "Mul"),
                let scaleName = graph.other(mul, than: nodes[divIndex].output[0]),
                case .tensor(let scale)? = constants[scaleName], scale.rank <= 1,
                let (biasIndex, biasAdd) = sole(mul.output[0], "Add"),
                let biasName = graph.other(biasAdd, than: mul.output[0]),
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
