/// `Identity`: passes its input through.
struct IdentityKernel: Kernel {
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        guard let value = inputs.first ?? nil else { throw .invalidArgument("Identity: input is missing") }
        return [value]
    }
}
