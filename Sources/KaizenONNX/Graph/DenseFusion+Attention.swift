extension DenseFusion {
    /// Finds scaled dot-product attention as exporters write it and runs it as one `AttentionKernel`:
    /// `MatMul(Q, Kᵀ)`, then optionally `Div` or `Mul` by a scalar constant, then optionally `Add` of a mask or
    /// `Where(mask, fill, ·)`, then `Softmax` over the last axis, then `MatMul(·, V)`; the `Transpose`s that put the
    /// heads in place (Q, K and V from `[batch, positions, heads, features]`, K from `[batch, heads, positions,
    /// features]`) and the one that puts them back (perm `[0, 2, 1, 3]`) are absorbed when the chain is their only
    /// reader. The kernel runs where the chain's last node ran, when every input it reads exists.
    mutating func findAttention(
        _ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>, opset: Int
    ) {
        let graph = FusionGraph(nodes, constants: constants, graphOutputs: graphOutputs)
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for name in node.output where !name.isEmpty { producer[name] = index }
        }
        func onnx(_ index: Int, _ opType: String) -> Onnx_NodeProto? { unfused(index, opType, in: graph) }
        func sole(_ name: String, _ opType: String) -> (Int, Onnx_NodeProto)? {
            unfusedSoleReader(of: name, opType, in: graph)
        }
        /// The node that writes `name`, when it is an `opType` whose output only `reader` reads.
        func feeding(_ name: String, _ opType: String, onlyTo reader: Int) -> (Int, Onnx_NodeProto)? {
            guard let index = producer[name], let node = onnx(index, opType), !graphOutputs.contains(name),
                graph.readers[name] == [reader]
            else { return nil }
            return (index, node)
        }
        func perm(_ node: Onnx_NodeProto) -> [Int64]? { node.attribute.first { $0.name == "perm" }?.ints }
        func axis(_ node: Onnx_NodeProto) -> Int64 {
            node.attribute.first { $0.name == "axis" }.map(\.i) ?? (opset >= 13 ? -1 : 1)
        }

        for (softmaxIndex, _) in nodes.enumerated() {
            guard let softmax = onnx(softmaxIndex, "Softmax"), [-1, 3].contains(axis(softmax)),
                let (contextIndex, context) = sole(softmax.output[0], "MatMul"), context.input.count == 2,
                context.input[0] == softmax.output[0], constants[context.input[1]] == nil
            else { continue }
            var absorbed = [softmaxIndex]
            // Back from the softmax: the mask, the scale, the scores' product.
            var scores = softmax.input[0]
            var mask = AttentionKernel.Mask.none
            var maskInput: String? = nil
            if let (addIndex, add) = feeding(scores, "Add", onlyTo: softmaxIndex), add.input.count == 2,
                add.input[0] != add.input[1]
            {
                let (left, right) = (add.input[0], add.input[1])
                let leftIsScores = producer[left].map { ["MatMul", "Div", "Mul"].contains(nodes[$0].opType) } ?? false
                scores = leftIsScores ? left : right
                maskInput = leftIsScores ? right : left
                mask = .add
                absorbed.append(addIndex)
            } else if let (whereIndex, select) = feeding(scores, "Where", onlyTo: softmaxIndex),
                select.input.count == 3
            {
                if let fill = graph.scalar(select.input[1]), constants[select.input[2]] == nil {
                    mask = .fill(Float(fill), fillWhere: true)
                    scores = select.input[2]
                } else if let fill = graph.scalar(select.input[2]), constants[select.input[1]] == nil {
                    mask = .fill(Float(fill), fillWhere: false)
                    scores = select.input[1]
                } else {
                    continue
                }
                maskInput = select.input[0]
                absorbed.append(whereIndex)
            }
            let scoresReader = absorbed.last!
            var scale: Float = 1
            var productOutput = scores
            var productReader = scoresReader
            if let index = producer[scores], graph.readers[scores] == [scoresReader], !graphOutputs.contains(scores),
                let node = onnx(index, "Div") ?? onnx(index, "Mul"), node.input.count == 2
            {
                if node.opType == "Div", let divisor = graph.scalar(node.input[1]), divisor != 0 {
                    scale = Float(1 / divisor)
                    productOutput = node.input[0]
                } else if node.opType == "Mul", let factor = graph.scalar(node.input[1]) {
                    scale = Float(factor)
                    productOutput = node.input[0]
                } else if node.opType == "Mul", let factor = graph.scalar(node.input[0]) {
                    scale = Float(factor)
                    productOutput = node.input[1]
                } else {
                    continue
                }
                absorbed.append(index)
                productReader = index
            }
            guard let (productIndex, product) = feeding(productOutput, "MatMul", onlyTo: productReader),
                product.input.count == 2, constants[product.input[0]] == nil, constants[product.input[1]] == nil
            else { continue }
            absorbed.append(productIndex)

            // The heads' transposes, when the chain alone reads them.
            func behind(
                _ name: String, reader: Int, _ perms: [[Int64]: AttentionKernel.Layout],
                otherwise layout: AttentionKernel.Layout
            ) -> (name: String, layout: AttentionKernel.Layout) {
                guard let (index, transpose) = feeding(name, "Transpose", onlyTo: reader),
                    let found = perm(transpose).flatMap({ perms[$0] })
                else { return (name, layout) }
                absorbed.append(index)
                return (transpose.input[0], found)
            }
            let query = behind(
                product.input[0], reader: productIndex, [[0, 2, 1, 3]: .positionsFirst], otherwise: .headsFirst)
            let key = behind(
                product.input[1], reader: productIndex, [[0, 2, 3, 1]: .positionsFirst, [0, 1, 3, 2]: .headsFirst],
                otherwise: .featuresFirst)
            let value = behind(
                context.input[1], reader: contextIndex, [[0, 2, 1, 3]: .positionsFirst], otherwise: .headsFirst)
            var last = contextIndex
            var output = context.output[0]
            var outputLayout = AttentionKernel.Layout.headsFirst
            if let (index, transpose) = sole(output, "Transpose"), perm(transpose) == [0, 2, 1, 3] {
                absorbed.append(contextIndex)
                last = index
                output = transpose.output[0]
                outputLayout = .positionsFirst
            }
            let kernel = AttentionKernel(
                query: query.layout, key: key.layout, value: value.layout, output: outputLayout, scale: scale,
                mask: mask)
            dense[last] = Fused(
                kernel: kernel, output: output,
                inputs: [query.name, key.name, value.name] + (maskInput.map { [$0] } ?? []))
            self.absorbed.formUnion(absorbed)
        }
    }
}
