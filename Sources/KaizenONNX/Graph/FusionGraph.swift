/// The graph as the fusions at load search it: who reads each value, and the questions every pattern asks of a
/// node (its operator, its sole reader, its constant operand).
struct FusionGraph {
    let nodes: [Onnx_NodeProto]
    let constants: [String: Value]
    let graphOutputs: Set<String>
    /// The nodes that read each value, by index.
    let readers: [String: [Int]]

    init(_ nodes: [Onnx_NodeProto], constants: [String: Value], graphOutputs: Set<String>) {
        self.nodes = nodes
        self.constants = constants
        self.graphOutputs = graphOutputs
        var readers: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for name in Set(node.input) where !name.isEmpty { readers[name, default: []].append(index) }
        }
        self.readers = readers
    }

    /// Node `index` when it is an `opType` of the standard domain with one output.
    func node(_ index: Int, _ opType: String) -> Onnx_NodeProto? {
        let node = nodes[index]
        guard node.opType == opType, OperatorDomain(name: node.domain) == .onnx, node.output.count == 1 else {
            return nil
        }
        return node
    }

    /// The only reader of `name`, when it is an `opType` and `name` is not a graph output (so fusing the two changes
    /// nothing anyone can see).
    func soleReader(of name: String, _ opType: String) -> (index: Int, node: Onnx_NodeProto)? {
        guard !graphOutputs.contains(name), let list = readers[name], list.count == 1, let node = node(list[0], opType)
        else { return nil }
        return (list[0], node)
    }

    /// The other input of a node of two distinct inputs, when one of them is `name`.
    func other(_ node: Onnx_NodeProto, than name: String) -> String? {
        guard node.input.count == 2, node.input[0] != node.input[1] else { return nil }
        return node.input[0] == name ? node.input[1] : node.input[1] == name ? node.input[0] : nil
    }

    /// A constant of one float or double element, as a double.
    func scalar(_ name: String) -> Double? {
        guard case .tensor(let tensor)? = constants[name], tensor.count == 1 else { return nil }
        switch tensor.storage {
        case .float(let values): return Double(values[0])
        case .double(let values): return values[0]
        default: return nil
        }
    }
}
