/// `Flatten`: a 2-D view, the axes before `axis` as rows.
struct FlattenKernel: Kernel {
    let axis: Int

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let data = try tensor(inputs, 0, "Flatten")
        let split = try data.axis(axis, "Flatten", rankPlusOne: true)
        let rows = data.shape[..<split].reduce(1, *)
        return [.tensor(data.reshaped([rows, rows == 0 ? 0 : data.shape[split...].reduce(1, *)]))]
    }
}
