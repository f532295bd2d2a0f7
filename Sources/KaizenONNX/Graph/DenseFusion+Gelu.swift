extension DenseFusion {
    /// Finds GELU written as separate operators, as PyTorch's exporter writes it before opset 20:
    /// `Erf(Div(x, √2))`, `Add` of 1, and the products by `x` and by 0.5 in either order; each becomes one pass of
    /// `UnaryKernel(.gelu)`. Every intermediate value must have only the chain's reader and not be a graph output.
    mutating func findGelus(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>
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
            guard case .tensor(let tensor)? = constants[name], tensor.count == 1, tensor.rank == 0,
                case .float(let values) = tensor.storage
            else { return nil }
            return Double(values[0])
        }
        func other(_ node: Onnx_NodeProto, than name: String) -> String? {
            guard node.input.count == 2, node.input[0] != node.input[1] else { return nil }
            return node.input[0] == name ? node.input[1] : node.input[1] == name ? node.input[0] : nil
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
                near(other(add, than: erf.output[0]).flatMap(scalar), 1),
                let xReaders = readers[x], xReaders.count >= 2
            else { continue }
            // x · (1 + erf) then · 0.5, or x · 0.5 then · (1 + erf).
            var chain: [Int] = []
            var output: String? = nil
            if let (productIndex, product) = sole(add.output[0], "Mul"), other(product, than: add.output[0]) == x,
                let (halfIndex, half) = sole(product.output[0], "Mul"),
                near(other(half, than: product.output[0]).flatMap(scalar), 0.5)
            {
                chain = [erfIndex, addIndex, productIndex, halfIndex]
                output = half.output[0]
            } else if let (productIndex, product) = sole(add.output[0], "Mul"),
                let halfName = other(product, than: add.output[0]), !graphOutputs.contains(halfName),
                let halfReaders = readers[halfName], halfReaders.count == 1,
                let halfIndex = xReaders.first(where: { candidate in
                    onnx(candidate, "Mul").map {
                        $0.output[0] == halfName && near(other($0, than: x).flatMap(scalar), 0.5)
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
