/// `Transpose`: permutes axes (reverses them when `perm` is absent).
struct TransposeKernel: Kernel {
    let permutation: [Int]?

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Transpose")
        let perm = permutation ?? Array((0..<data.rank).reversed())
        guard perm.count == data.rank, Set(perm) == Set(0..<data.rank) else {
            throw .invalidArgument("Transpose: perm \(perm) is not a permutation of \(data.rank) axes")
        }
        return [.tensor(data.transposed(perm))]
    }
}
