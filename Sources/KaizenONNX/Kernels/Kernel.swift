/// An operator instance, built once from a node's attributes at load time and run for every inference.
///
/// Kernels validate their attributes when they are built, so a model Kaizen cannot run is refused at load, and check
/// their inputs' types and shapes when they run.
protocol Kernel: Sendable {
    /// Computes the node's outputs from its inputs; an omitted optional input is `nil`.
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value]
}

/// Builds a kernel for a node.
typealias KernelFactory = @Sendable (NodeContext) throws(ONNXError) -> any Kernel

/// An operator Kaizen implements: its domain, name, the opsets it covers and how to build it.
struct OperatorDefinition: Sendable {
    let domain: OperatorDomain
    let name: String
    /// The lowest opset of the domain this implementation covers; earlier versions are refused.
    let since: Int
    /// The first opset of the domain this implementation does not cover, if the operator changed or went away.
    let until: Int?
    let make: KernelFactory

    init(_ domain: OperatorDomain, _ name: String, since: Int = 1, until: Int? = nil, make: @escaping KernelFactory) {
        self.domain = domain
        self.name = name
        self.since = since
        self.until = until
        self.make = make
    }
}

/// The operator domains Kaizen knows.
enum OperatorDomain: String, Sendable, Hashable {
    case onnx = "ai.onnx"
    case ml = "ai.onnx.ml"

    /// The domain a node or opset import names (`""` and `"ai.onnx"` are the same domain).
    init?(name: String) {
        switch name {
        case "", "ai.onnx": self = .onnx
        case "ai.onnx.ml": self = .ml
        default: return nil
        }
    }

    /// The newest opset of the domain Kaizen has checked its operators against.
    var newestOpset: Int {
        switch self {
        case .onnx: 28
        case .ml: 5
        }
    }
}

extension Kernel {
    /// The input at `index` as a tensor; throws when it is absent or a sequence.
    func tensor(_ inputs: [Value?], _ index: Int, _ what: String) throws(ONNXError) -> Tensor {
        guard index < inputs.count, let value = inputs[index] else {
            throw .invalidArgument("\(what): input \(index) is missing")
        }
        guard case .tensor(let tensor) = value else {
            throw .invalidArgument("\(what): input \(index) must be a tensor, got \(value.valueType)")
        }
        return tensor
    }

    /// The input at `index` as a tensor, or `nil` when the optional input is omitted.
    func optionalTensor(_ inputs: [Value?], _ index: Int, _ what: String) throws(ONNXError) -> Tensor? {
        guard index < inputs.count, inputs[index] != nil else { return nil }
        return try tensor(inputs, index, what)
    }
}
