import Foundation

/// Turns an ONNX `GraphProto` into a `GraphPlan`: resolves names, orders nodes, builds kernels, checks declarations.
struct GraphBuilder: Sendable {
    /// The opset of each domain the model imports.
    let opsets: [OperatorDomain: Int]
    /// Where external tensor data is read from.
    let baseDirectory: URL?
    /// Constants visible from an enclosing graph (for subgraphs).
    let outerConstants: [String: Value]

    func build(_ graph: Onnx_GraphProto, isSubgraph: Bool = false) throws(ONNXError) -> GraphPlan {
        var slotOf: [String: Int] = [:]
        var constants: [(slot: Int, value: Value)] = []
        func newSlot(_ name: String) -> Int {
            let slot = slotOf.count
            slotOf[name] = slot
            return slot
        }

        var constantValues: [String: Value] = outerConstants
        for initializer in graph.initializer {
            let tensor = try TensorDecoder.decode(initializer, baseDirectory: baseDirectory)
            guard slotOf[initializer.name] == nil else {
                throw .invalidGraph("initializer '\(initializer.name)' is defined twice")
            }
            constants.append((newSlot(initializer.name), .tensor(tensor)))
            constantValues[initializer.name] = .tensor(tensor)
        }
        if !graph.sparseInitializer.isEmpty {
            throw .notImplemented("sparse initializers are not supported")
        }

        var inputs: [(info: ValueInfo, slot: Int)] = []
        for input in graph.input {
            // Before IR 4 initializers were listed among the inputs as defaults; they are not caller inputs.
            if slotOf[input.name] != nil, !isSubgraph { continue }
            guard slotOf[input.name] == nil else { throw .invalidGraph("graph input '\(input.name)' is defined twice") }
            let info = ValueInfo(
                name: input.name, type: try ValueTypeDecoder.decode(input.type, what: "input '\(input.name)'"))
            inputs.append((info, newSlot(input.name)))
        }
        for (name, value) in outerConstants where slotOf[name] == nil {
            constants.append((newSlot(name), value))
        }

        let graphOutputs = Set(graph.output.map(\.name))
        var nodes = graph.node
        if !isSubgraph {
            // Nodes computed from constants alone become constants (weights stored in float16 and cast to float, a
            // Constant node's value): computed once here, and visible to the fusions as weights.
            let folded = try foldConstants(
                nodes, order: try topologicalOrder(nodes, available: Set(slotOf.keys)), constants: &constantValues,
                graphOutputs: graphOutputs)
            for (name, value) in folded.values { constants.append((newSlot(name), value)) }
            nodes = Self.needed(folded.remaining, for: graphOutputs)
        }
        let order = try topologicalOrder(nodes, available: Set(slotOf.keys))
        let fusions = DenseFusion.find(
            nodes, constants: constantValues, graphOutputs: graphOutputs, opsets: opsets)
        var steps: [GraphPlan.Step] = []
        var lastUse: [Int: Int] = [:]
        for nodeIndex in order where !fusions.absorbed.contains(nodeIndex) {
            var node = nodes[nodeIndex]
            let fused = fusions.dense[nodeIndex]
            if let fused {
                node.input = fused.inputs ?? [node.input[0]]
                node.output = [fused.output]
            }
            var inputSlots: [Int?] = []
            var constantInputs: [Int: Tensor] = [:]
            for (position, name) in node.input.enumerated() {
                if name.isEmpty {
                    inputSlots.append(nil)
                    continue
                }
                guard let slot = slotOf[name] else {
                    throw .invalidGraph("node '\(node.name)' (\(node.opType)) reads '\(name)', which nothing produces")
                }
                inputSlots.append(slot)
                lastUse[slot] = steps.count
                if case .tensor(let tensor)? = constantValues[name] { constantInputs[position] = tensor }
            }
            let kernel: any Kernel
            if let fused {
                kernel = fused.kernel
            } else {
                kernel = try makeKernel(node, constantInputs: constantInputs)
            }
            var outputSlots: [Int?] = []
            for name in node.output {
                if name.isEmpty {
                    outputSlots.append(nil)
                    continue
                }
                guard slotOf[name] == nil else {
                    throw .invalidGraph("'\(name)' is produced twice (again by node '\(node.name)', \(node.opType))")
                }
                outputSlots.append(newSlot(name))
            }
            let label = "node '\(node.name.isEmpty ? "<unnamed>" : node.name)' (\(node.opType))"
            steps.append(.init(kernel: kernel, inputs: inputSlots, outputs: outputSlots, releases: [], label: label))
        }

        var outputs: [(info: ValueInfo, slot: Int)] = []
        for output in graph.output {
            guard let slot = slotOf[output.name] else {
                throw .invalidGraph("graph output '\(output.name)' is not produced by any node")
            }
            let type = try ValueTypeDecoder.decode(output.type, what: "output '\(output.name)'", allowMissing: true)
            outputs.append((ValueInfo(name: output.name, type: type), slot))
            lastUse[slot] = nil
        }
        for (slot, stepIndex) in lastUse {
            let step = steps[stepIndex]
            steps[stepIndex] = .init(
                kernel: step.kernel, inputs: step.inputs, outputs: step.outputs, releases: step.releases + [slot],
                label: step.label)
        }
        return GraphPlan(slotCount: slotOf.count, constants: constants, inputs: inputs, outputs: outputs, steps: steps)
    }

    /// Node indices in an order where every node comes after the producers of its inputs (Kahn's algorithm).
    private func topologicalOrder(_ nodes: [Onnx_NodeProto], available: Set<String>) throws(ONNXError) -> [Int] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for name in node.output where !name.isEmpty {
                if producer[name] != nil || available.contains(name) {
                    throw .invalidGraph("'\(name)' is produced twice (again by node '\(node.name)', \(node.opType))")
                }
                producer[name] = index
            }
        }
        var pending = [Int](repeating: 0, count: nodes.count)
        var dependents = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for name in Set(node.input + Self.outerReads(node)) where !name.isEmpty {
                if let source = producer[name] {
                    pending[index] += 1
                    dependents[source].append(index)
                } else if !available.contains(name) && !outerConstants.keys.contains(name) {
                    throw .invalidGraph("node '\(node.name)' (\(node.opType)) reads '\(name)', which nothing produces")
                }
            }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var cursor = 0
        while cursor < ready.count {
            let index = ready[cursor]
            cursor += 1
            order.append(index)
            for dependent in dependents[index] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.append(dependent) }
            }
        }
        guard order.count == nodes.count else {
            let stuck = (0..<nodes.count).filter { pending[$0] > 0 }.prefix(5).map {
                "'\(nodes[$0].name)' (\(nodes[$0].opType))"
            }
            throw .invalidGraph("the graph has a cycle through nodes \(stuck.joined(separator: ", "))")
        }
        return order
    }

    /// Operators never folded: their outputs are not functions of their inputs, or they hold subgraphs.
    static let unfoldable: Set<String> = [
        "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", "If",
        "Loop", "Scan",
    ]

    /// The most elements a folded constant may hold: a node that expands a small constant into a large one (Expand,
    /// ConstantOfShape, Tile) is left to run, so the model's memory stays what its file holds.
    static let largestFolded = 1 << 24

    /// Runs, in `order`, every node whose inputs are all constants, adding its outputs to `constants`: the outputs
    /// folded (in order) and the nodes left to run. Nodes whose outputs are graph outputs stay.
    private func foldConstants(
        _ nodes: [Onnx_NodeProto], order: [Int], constants: inout [String: Value], graphOutputs: Set<String>
    ) throws(ONNXError) -> (values: [(String, Value)], remaining: [Onnx_NodeProto]) {
        var values: [(String, Value)] = []
        var folded = Set<Int>()
        for index in order {
            let node = nodes[index]
            guard !Self.unfoldable.contains(node.opType), node.domain.isEmpty || node.domain == "ai.onnx",
                !node.output.contains(where: graphOutputs.contains),
                node.input.allSatisfy({ $0.isEmpty || constants[$0] != nil })
            else { continue }
            var constantInputs: [Int: Tensor] = [:]
            for (position, name) in node.input.enumerated() {
                if case .tensor(let tensor)? = constants[name] { constantInputs[position] = tensor }
            }
            let outputs: [Value]
            do {
                let kernel = try makeKernel(node, constantInputs: constantInputs)
                outputs = try kernel.run(node.input.map { $0.isEmpty ? nil : constants[$0] })
            } catch {
                // Left to run, so that its error (if it has one) comes when the model runs, as it would unfolded.
                continue
            }
            guard outputs.count >= node.output.count,
                outputs.allSatisfy({ if case .tensor(let t) = $0 { t.count <= Self.largestFolded } else { false } })
            else { continue }
            for (name, value) in zip(node.output, outputs) where !name.isEmpty {
                constants[name] = value
                values.append((name, value))
            }
            folded.insert(index)
        }
        return (values, nodes.indices.filter { !folded.contains($0) }.map { nodes[$0] })
    }

    /// The nodes the graph's outputs depend on, in their order: a node whose outputs nothing reads (a pooling an
    /// exporter left beside the head that replaced it) is not run.
    static func needed(_ nodes: [Onnx_NodeProto], for outputs: Set<String>) -> [Onnx_NodeProto] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for name in node.output where !name.isEmpty { producer[name] = index }
        }
        var keep = Set<Int>()
        var pending = outputs.compactMap { producer[$0] }
        while let index = pending.popLast() {
            guard keep.insert(index).inserted else { continue }
            for name in nodes[index].input + outerReads(nodes[index]) where !name.isEmpty {
                if let source = producer[name], !keep.contains(source) { pending.append(source) }
            }
        }
        return nodes.indices.filter(keep.contains).map { nodes[$0] }
    }

    /// Names a node's subgraphs read from the enclosing graph (they must be ordered before the node).
    private static func outerReads(_ node: Onnx_NodeProto) -> [String] {
        var names: [String] = []
        for attribute in node.attribute where attribute.hasG {
            let subgraph = attribute.g
            var local = Set(subgraph.input.map(\.name) + subgraph.initializer.map(\.name))
            for inner in subgraph.node {
                for name in inner.input where !name.isEmpty && !local.contains(name) { names.append(name) }
                local.formUnion(inner.output)
            }
        }
        return names
    }

    private func makeKernel(_ node: Onnx_NodeProto, constantInputs: [Int: Tensor]) throws(ONNXError) -> any Kernel {
        let nodeName = node.name.isEmpty ? "<unnamed>" : node.name
        guard let domain = OperatorDomain(name: node.domain) else {
            throw .notImplemented(
                "node '\(nodeName)' (\(node.opType)) is in domain '\(node.domain)', which Kaizen does not support")
        }
        guard let opset = opsets[domain] else {
            throw .invalidGraph(
                "node '\(nodeName)' (\(node.opType)) uses domain '\(domain.rawValue)', which the model does not import")
        }
        var attributes: [String: Onnx_AttributeProto] = [:]
        for attribute in node.attribute {
            if !attribute.refAttrName.isEmpty {
                throw .notImplemented("node '\(nodeName)' (\(node.opType)): attribute references are not supported")
            }
            attributes[attribute.name] = attribute
        }
        let definition = try OperatorRegistry.definition(
            domain: domain, name: node.opType, opset: opset, node: nodeName)
        let builder = self
        let context = NodeContext(
            name: node.name, opType: node.opType, domain: domain, opset: opset, inputCount: node.input.count,
            outputCount: node.output.count, attributes: attributes, constantInputs: constantInputs,
            buildSubgraph: { graph throws(ONNXError) in
                try GraphBuilder(opsets: builder.opsets, baseDirectory: builder.baseDirectory, outerConstants: [:])
                    .build(graph, isSubgraph: true)
            })
        return try definition.make(context)
    }
}
