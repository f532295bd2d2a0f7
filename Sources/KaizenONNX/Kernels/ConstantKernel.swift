/// `Constant`: a value fixed in the model.
struct ConstantKernel: Kernel {
    let value: Tensor

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] { [.tensor(value)] }
}
