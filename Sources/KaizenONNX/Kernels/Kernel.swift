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
