extension DenseFusion {
    /// Finds GELU written as separate operators, as PyTorch's exporter writes it before opset 20:
    /// `Erf(Div(x, √2))`, `Add` of 1, and the products by `x` and by 0.5 in either order; each becomes one pass of
    /// `UnaryKernel(.gelu)`. Every intermediate value must have only the chain's reader and not be a graph output.
    mutating func findGelus(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>
    ) {
        let graph = FusionGraph(nodes, constants: constants, graphOutputs: graphOutputs)
        // Nested functions read the fusion as it grows, so a chain taken earlier in the pass is not taken twice.
        func onnx(_ index: Int, _ opType: String) -> Onnx_NodeProto? { unfused(index, opType, in: graph) }
        func sole(_ name: String, _ opType: String) -> (Int, Onnx_NodeProto)? {
            unfusedSoleReader(of: name, opType, in: graph)
        }
        let readers = graph.readers

        // A scalar constant (rank 0), as the exporter writes GELU's.
        func scalar(_ name: String) -> Double? {
            guard case .tensor(let tensor)? = constants[name], tensor.rank == 0 else { return nil }
            return graph.scalar(name)
        }
        func near(_ value: Double?, _ target: Double) -> Bool {
            guard let value else { return false }
            return abs(value - target) <= 1e-6 * target
        }
        for (index, _) in nodes.enumerated() {
            guard let divide = onnx(index, "Div"), divide.input.count == 2, let x = divide.input.first,
                constants[x] == nil, near(scalar(divide.input[1]), 2.0.squareRoot()),
                let (erfIndex, erf) = sole(divide.output[0], "Erf"),
                let (addIndex, add) = sole(erf.output[0], "Add"),
                near(graph.other(add, than: erf.output[0]).flatMap(scalar), 1),
                let xReaders = readers[x], xReaders.count >= 2
            else { continue }
            // x · (1 + erf) then · 0.5, or x · 0.5 then · (1 + erf).
            var chain: [Int] = []
            var output: String? = nil
            if let (productIndex, product) = sole(add.output[0], "Mul"), graph.other(product, than: add.output[0]) == x,
                let (halfIndex, half) = sole(product.output[0], "Mul"),
                near(graph.other(half, than: product.output[0]).flatMap(scalar), 0.5)
            {
                chain = [erfIndex, addIndex, productIndex, halfIndex]
                output = half.output[0]
            } else if let (productIndex, product) = sole(add.output[0], "Mul"),
                let halfName = graph.other(product, than: add.output[0]), !graphOutputs.contains(halfName),
                let halfReaders = readers[halfName], halfReaders.count == 1,
                let halfIndex = xReaders.first(where: { candidate in
                    onnx(candidate, "Mul").map {
                        $0.output[0] == halfName && near(graph.other($0, than: x).flatMap(scalar), 0.5)
                    }
                        ?? false
                })
            {
                chain = [erfIndex, addIndex, halfIndex, productIndex]
                output = product.output[0]
            }
            guard let output else { continue }
            dense[index] = Fused(kernel: UnaryKernel(operation: .gelu), output: output)
            absorbed.formUnion(chain)
        }
    }
}

extension DenseFusion {
    /// Folds each GELU found by `findGelus` into the dense layer that feeds it, when the layer's output has no reader
    /// but the GELU's two (its `Div` and its product by `x`) and is not a graph output: the activation is then applied
    /// while the product is in registers, on the product's threads, instead of in a pass of its own.
    mutating func mergeGelusIntoDenseLayers(_ graph: FusionGraph) {
        var geluByInput: [String: Int] = [:]
        for (index, fused) in dense {
            guard let unary = fused.kernel as? UnaryKernel, unary.operation == .gelu,
                let input = graph.nodes[index].input.first
            else { continue }
            geluByInput[input] = index
        }
        for (index, fused) in dense {
            guard let layer = fused.kernel as? DenseKernel, layer.activation == .none,
                let geluIndex = geluByInput[fused.output], !graph.graphOutputs.contains(fused.output),
                let readers = graph.readers[fused.output], readers.count == 2,
                readers.allSatisfy({ $0 == geluIndex || absorbed.contains($0) }),
                let gelu = dense[geluIndex]
            else { continue }
            dense[index] = Fused(kernel: layer.with(.gelu), output: gelu.output)
            dense[geluIndex] = nil
            absorbed.insert(geluIndex)
        }
    }
}
