import Foundation

/// Finds dense layers (`MatMul` by a constant, `Add` of a constant bias, optional `Relu` or GELU) to run as one kernel.
///
/// Only chains whose intermediate values have exactly one reader and are not graph outputs are fused, so the
/// graph's observable results are unchanged.
struct DenseFusion {
    struct Fused {
        /// Reads the chain's first node's first input (the data; the rest are constants the kernel holds).
        let kernel: any Kernel
        /// The name the chain's last node writes.
        let output: String
        /// What the kernel reads, when it is not the first node's first input (attention: query, key, value, mask).
        var inputs: [String]? = nil
    }

    /// Fused kernels by the index of their chain's first node (a MatMul; a layer normalization's first ReduceMean).
    var dense: [Int: Fused] = [:]
    /// Indices of the Add and Relu nodes folded into a fused kernel.
    var absorbed: Set<Int> = []

    static func find(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>, opsets: [OperatorDomain: Int]
    ) -> DenseFusion {
        var fusion = DenseFusion()
        guard let opset = opsets[.onnx], opset >= 7 else { return fusion }
        let graph = FusionGraph(nodes, constants: constants, graphOutputs: graphOutputs)
        func soleReader(of name: String, opType: String) -> Int? {
            graph.soleReader(of: name, opType)?.index
        }
        for (index, node) in nodes.enumerated() {
            guard node.opType == "MatMul", OperatorDomain(name: node.domain) == .onnx, node.input.count == 2,
                node.output.count == 1, case .tensor(let weights)? = constants[node.input[1]],
                constants[node.input[0]] == nil,
                let addIndex = soleReader(of: node.output[0], opType: "Add")
            else { continue }
            let add = nodes[addIndex]
            guard add.input.count == 2, add.input[0] != add.input[1] else { continue }
            let biasName = add.input[0] == node.output[0] ? add.input[1] : add.input[0]
            guard case .tensor(let bias)? = constants[biasName], bias.rank <= 2, bias.count == bias.shape.last ?? 1
            else { continue }
            var output = add.output[0]
            var activation = PackedMatrix.Activation.none
            var folded = [addIndex]
            if let reluIndex = soleReader(of: output, opType: "Relu") {
                activation = .relu
                output = nodes[reluIndex].output[0]
                folded.append(reluIndex)
            } else if let geluIndex = soleReader(of: output, opType: "Gelu"),
                nodes[geluIndex].attribute.allSatisfy({ $0.name != "approximate" || $0.s == Data("none".utf8) })
            {
                activation = .gelu
                output = nodes[geluIndex].output[0]
                folded.append(geluIndex)
            }
            guard let kernel = DenseKernel(weights: weights, bias: bias, activation: activation) else { continue }
            fusion.dense[index] = Fused(kernel: kernel, output: output)
            fusion.absorbed.formUnion(folded)
        }
        fusion.findLayerNormalizations(nodes, constants: constants, graphOutputs: graphOutputs, opset: opset)
        fusion.findGelus(nodes, constants: constants, graphOutputs: graphOutputs)
        fusion.mergeGelusIntoDenseLayers(FusionGraph(nodes, constants: constants, graphOutputs: graphOutputs))
        fusion.findAttention(nodes, constants: constants, graphOutputs: graphOutputs, opset: opset)
        return fusion
    }
}

extension DenseFusion {
    /// Node `index` when it is an `opType` that no fusion has taken yet.
    func unfused(_ index: Int, _ opType: String, in graph: FusionGraph) -> Onnx_NodeProto? {
        guard !absorbed.contains(index), dense[index] == nil else { return nil }
        return graph.node(index, opType)
    }

    /// The only reader of `name`, when it is an `opType` that no fusion has taken yet.
    func unfusedSoleReader(of name: String, _ opType: String, in graph: FusionGraph) -> (Int, Onnx_NodeProto)? {
        guard let (index, node) = graph.soleReader(of: name, opType), unfused(index, opType, in: graph) != nil else {
            return nil
        }
        return (index, node)
    }
}
