/// A graph ready to run: kernels in dependency order over numbered value slots.
///
/// Built once at load; `run` is safe to call from many threads at once (each call has its own slots).
final class GraphPlan: Sendable {
    struct Step: Sendable {
        let kernel: any Kernel
        /// Slot of each input; `nil` for an omitted optional input.
        let inputs: [Int?]
        /// Slot of each output; `nil` for an output nobody asked for.
        let outputs: [Int?]
        /// Slots whose last reader is this step, freed after it runs.
        let releases: [Int]
        let label: String
    }

    let slotCount: Int
    let constants: [(slot: Int, value: Value)]
    let inputs: [(info: ValueInfo, slot: Int)]
    let outputs: [(info: ValueInfo, slot: Int)]
    let steps: [Step]

    init(
        slotCount: Int, constants: [(slot: Int, value: Value)], inputs: [(info: ValueInfo, slot: Int)],
        outputs: [(info: ValueInfo, slot: Int)], steps: [Step]
    ) {
        self.slotCount = slotCount
        self.constants = constants
        self.inputs = inputs
        self.outputs = outputs
        self.steps = steps
    }

    /// Runs the graph on values for its inputs, in declaration order, and returns its outputs in declaration order.
    func run(_ feeds: [Value]) throws(ONNXError) -> [Value] {
        var slots = [Value?](repeating: nil, count: slotCount)
        for (slot, value) in constants { slots[slot] = value }
        for (index, input) in inputs.enumerated() where index < feeds.count {
            slots[input.slot] = feeds[index]
        }
        for step in steps {
            var arguments: [Value?] = []
            arguments.reserveCapacity(step.inputs.count)
            for slot in step.inputs {
                arguments.append(slot.flatMap { slots[$0] })
            }
            let results: [Value]
            do {
                results = try step.kernel.run(arguments)
            } catch {
                throw ONNXError(error.code, "\(step.label): \(error.message)")
            }
            guard results.count >= step.outputs.lazy.filter({ $0 != nil }).count else {
                throw .runtime("\(step.label) produced \(results.count) outputs, expected \(step.outputs.count)")
            }
            for (index, slot) in step.outputs.enumerated() {
                if let slot, index < results.count { slots[slot] = results[index] }
            }
            for slot in step.releases { slots[slot] = nil }
        }
        var results: [Value] = []
        results.reserveCapacity(outputs.count)
        for output in outputs {
            guard let value = slots[output.slot] else {
                throw .runtime("graph output '\(output.info.name)' was not produced")
            }
            results.append(value)
        }
        return results
    }
}
