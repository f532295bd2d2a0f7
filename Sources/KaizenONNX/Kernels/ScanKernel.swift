/// `Scan`: runs the `body` graph once per slice of the scan inputs, carrying the state variables from one iteration
/// to the next, and stacks what each iteration returns for the scan outputs.
///
/// Inputs are the N initial states, then the M scan inputs; outputs are the N final states, then the K stacked scan
/// outputs. The body takes the N states and one slice of each scan input (the scan axis removed) and returns the N
/// next states and one slice of each scan output. Opset 8 has a leading batch axis on every input and output, an
/// optional `sequence_lens` first input, a `directions` attribute and scan axis 1; outputs of sequences shorter than
/// the longest are padded with zeros, as onnxruntime does.
struct ScanKernel: Kernel {
    let body: GraphPlan
    let stateCount: Int
    let scanInputCount: Int
    let scanOutputCount: Int
    /// `scan_input_axes` as given (a negative axis counts from the end of its input's shape).
    let inputAxes: [Int]
    let inputReversed: [Bool]
    /// `scan_output_axes` as given (a negative axis counts from the end of the stacked output's shape).
    let outputAxes: [Int]
    let outputReversed: [Bool]
    /// Opset 8: `sequence_lens` first, and a batch axis in front of every input and output.
    let isBatched: Bool
    /// Scan inputs that are constants of the model (a KNN's training set), cut into slices once at load.
    let constantSlices: [[Tensor]?]

    init(_ context: NodeContext) throws(ONNXError) {
        isBatched = context.opset < 9
        let variadicCount = context.inputCount - (isBatched ? 1 : 0)
        scanInputCount = try context.required("num_scan_inputs", context.int)
        guard scanInputCount >= 1, scanInputCount <= variadicCount else {
            throw context.invalid(
                "num_scan_inputs is \(scanInputCount), but the node has \(variadicCount) state and scan inputs")
        }
        stateCount = variadicCount - scanInputCount
        body = try context.buildSubgraph(try context.required("body", context.graph))
        guard body.inputs.count == variadicCount else {
            throw context.invalid(
                "the body takes \(body.inputs.count) inputs, but the node gives it \(stateCount) states and "
                    + "\(scanInputCount) scan inputs")
        }
        guard body.outputs.count >= stateCount, context.outputCount <= body.outputs.count else {
            throw context.invalid(
                "the body returns \(body.outputs.count) outputs for \(stateCount) states and the node's "
                    + "\(context.outputCount) outputs")
        }
        scanOutputCount = body.outputs.count - stateCount

        if isBatched {
            inputAxes = Array(repeating: 0, count: scanInputCount)
            inputReversed = try Self.directions(context, "directions", count: scanInputCount)
            outputAxes = Array(repeating: 0, count: scanOutputCount)
            outputReversed = Array(repeating: false, count: scanOutputCount)
        } else {
            inputAxes = try Self.axes(context, "scan_input_axes", count: scanInputCount)
            inputReversed = try Self.directions(context, "scan_input_directions", count: scanInputCount)
            outputAxes = try Self.axes(context, "scan_output_axes", count: scanOutputCount)
            outputReversed = try Self.directions(context, "scan_output_directions", count: scanOutputCount)
        }
        var constantSlices: [[Tensor]?] = []
        for index in 0..<scanInputCount {
            let position = (isBatched ? 1 : 0) + stateCount + index
            if !isBatched, let constant = context.constantInputs[position], constant.rank >= 1,
                let axis = try? constant.axis(inputAxes[index], "scan_input_axes")
            {
                let sequence = Self.sequence(constant, axis: axis)
                constantSlices.append((0..<sequence.length).map { sequence.slice($0) })
            } else {
                constantSlices.append(nil)
            }
        }
        self.constantSlices = constantSlices
    }

    /// A scan input with its scan axis moved to the front, so that every slice is a contiguous range.
    private struct Sequence {
        let storage: Tensor.Storage
        let sliceShape: [Int]
        let sliceCount: Int
        let length: Int

        func slice(_ position: Int) -> Tensor {
            let start = position * sliceCount
            return Tensor(unchecked: sliceShape, ScanKernel.slice(storage, start..<(start + sliceCount)))
        }
    }

    private static func sequence(_ scan: Tensor, axis: Int) -> Sequence {
        let length = scan.shape[axis]
        var sliceShape = scan.shape
        sliceShape.remove(at: axis)
        var order = Array(0..<scan.rank)
        order.remove(at: axis)
        let front = axis == 0 ? scan : scan.transposed([axis] + order)
        return Sequence(
            storage: front.storage, sliceShape: sliceShape, sliceCount: length == 0 ? 0 : scan.count / length,
            length: length)
    }

    private static func axes(_ context: NodeContext, _ key: String, count: Int) throws(ONNXError) -> [Int] {
        guard let axes = try context.ints(key) else { return Array(repeating: 0, count: count) }
        guard axes.count == count else { throw context.invalid("\(key) has \(axes.count) values, expected \(count)") }
        return axes
    }

    private static func directions(_ context: NodeContext, _ key: String, count: Int) throws(ONNXError) -> [Bool] {
        guard let directions = try context.ints(key) else { return Array(repeating: false, count: count) }
        guard directions.count == count else {
            throw context.invalid("\(key) has \(directions.count) values, expected \(count)")
        }
        var reversed: [Bool] = []
        for direction in directions {
            guard direction == 0 || direction == 1 else {
                throw context.invalid("\(key) must hold 0 (forward) or 1 (reverse), got \(direction)")
            }
            reversed.append(direction == 1)
        }
        return reversed
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let first = isBatched ? 1 : 0
        var states: [Value] = []
        states.reserveCapacity(stateCount)
        for index in first..<(first + stateCount) {
            guard index < inputs.count, let state = inputs[index] else {
                throw .invalidArgument("Scan: state input \(index) is missing")
            }
            states.append(state)
        }
        var scans: [Tensor] = []
        scans.reserveCapacity(scanInputCount)
        for index in (first + stateCount)..<(first + stateCount + scanInputCount) {
            scans.append(try tensor(inputs, index, "Scan scan input"))
        }
        if isBatched {
            let lengths = try optionalTensor(inputs, 0, "Scan sequence_lens")
            return try runBatched(states, scans, lengths: lengths)
        }
        let result = try iterate(states, scans)
        var outputs = result.states
        for index in 0..<scanOutputCount {
            outputs.append(.tensor(try stack(result.slices[index], steps: result.steps, output: index)))
        }
        return outputs
    }

    /// What the iterations produced: the final states and, per scan output, each iteration's slice.
    private struct Iterations {
        var states: [Value]
        var steps: Int
        var slices: [[Tensor]]
    }

    /// Runs the body over the scan inputs along their scan axes.
    private func iterate(_ initialStates: [Value], _ scans: [Tensor]) throws(ONNXError) -> Iterations {
        var sequences: [Sequence?] = []
        sequences.reserveCapacity(scans.count)
        var steps: Int?
        for (index, scan) in scans.enumerated() {
            let length: Int
            if let slices = constantSlices[index] {
                length = slices.count
                sequences.append(nil)
            } else {
                guard scan.rank >= 1 else { throw .invalidArgument("Scan: scan input \(index) is a scalar") }
                let sequence = Self.sequence(
                    scan, axis: try scan.axis(inputAxes[index], "Scan: scan_input_axes[\(index)]"))
                length = sequence.length
                sequences.append(sequence)
            }
            if let steps, steps != length {
                throw .invalidArgument(
                    "Scan: scan inputs differ in length along their scan axes (\(steps) and \(length), "
                        + "shape \(scan.shape))"
                )
            }
            steps = length
        }
        let stepCount = steps ?? 0

        var states = initialStates
        var slices = [[Tensor]](repeating: [], count: scanOutputCount)
        for index in slices.indices { slices[index].reserveCapacity(stepCount) }
        var feeds: [Value] = []
        feeds.reserveCapacity(stateCount + scanInputCount)
        for step in 0..<stepCount {
            feeds.removeAll(keepingCapacity: true)
            feeds.append(contentsOf: states)
            for (index, sequence) in sequences.enumerated() {
                let position = inputReversed[index] ? stepCount - 1 - step : step
                if let sequence {
                    feeds.append(.tensor(sequence.slice(position)))
                } else if let slices = constantSlices[index] {
                    feeds.append(.tensor(slices[position]))
                }
            }
            let results = try body.run(feeds)
            guard results.count == stateCount + scanOutputCount else {
                throw .runtime(
                    "Scan: the body returned \(results.count) values, expected \(stateCount + scanOutputCount)")
            }
            states = Array(results[0..<stateCount])
            for index in 0..<scanOutputCount {
                guard case .tensor(let slice) = results[stateCount + index] else {
                    throw .runtime("Scan: scan output \(index) of the body must be a tensor")
                }
                if let previous = slices[index].first,
                    previous.shape != slice.shape || previous.elementType != slice.elementType
                {
                    throw .runtime(
                        "Scan: scan output \(index) changed from tensor(\(previous.elementType)) \(previous.shape) to "
                            + "tensor(\(slice.elementType)) \(slice.shape) at iteration \(step)")
                }
                slices[index].append(slice)
            }
        }
        return Iterations(states: states, steps: stepCount, slices: slices)
    }

    /// One scan output: the iterations' slices stacked along the output's scan axis, in its direction.
    private func stack(_ slices: [Tensor], steps: Int, output index: Int) throws(ONNXError) -> Tensor {
        guard let first = slices.first else {
            // onnxruntime fails here too: without an iteration nothing tells the output's shape.
            throw .runtime("Scan: the scan inputs are empty along the scan axis, so scan output \(index) has no shape")
        }
        let count = first.count
        var ranges: [(part: Int, range: Range<Int>)] = []
        ranges.reserveCapacity(steps)
        for step in 0..<steps { ranges.append((outputReversed[index] ? steps - 1 - step : step, 0..<count)) }
        let stacked = Tensor(unchecked: [steps] + first.shape, .joining(slices.map(\.storage), ranges))
        let rank = first.rank + 1
        let axis = outputAxes[index] < 0 ? outputAxes[index] + rank : outputAxes[index]
        guard axis >= 0, axis < rank else {
            throw .invalidArgument(
                "Scan: scan_output_axes[\(index)] = \(outputAxes[index]) is out of range for a stacked output of "
                    + "rank \(rank)"
            )
        }
        guard axis != 0 else { return stacked }
        // Output axis `axis` is the stacking axis; the slice's axes keep their order around it.
        return stacked.transposed((0..<rank).map { $0 < axis ? $0 + 1 : ($0 == axis ? 0 : $0) })
    }

    /// Opset 8: the scan once per batch entry, over at most `sequence_lens[b]` steps, results stacked over the batch.
    private func runBatched(_ states: [Value], _ scans: [Tensor], lengths: Tensor?) throws(ONNXError) -> [Value] {
        var stateTensors: [Tensor] = []
        for (index, state) in states.enumerated() {
            guard case .tensor(let tensor) = state, tensor.rank >= 1 else {
                throw .invalidArgument("Scan: state input \(index) must be a tensor with a batch axis")
            }
            stateTensors.append(tensor)
        }
        guard scans[0].rank >= 2 else {
            throw .invalidArgument("Scan: scan inputs need a batch and a sequence axis, got shape \(scans[0].shape)")
        }
        let batch = scans[0].shape[0]
        let longest = scans[0].shape[1]
        guard batch > 0 else {
            throw .invalidArgument("Scan: the batch is empty, which leaves the outputs' shapes unknown")
        }
        for tensor in stateTensors where tensor.shape[0] != batch {
            throw .invalidArgument("Scan: state inputs need the batch axis (size \(batch)), got shape \(tensor.shape)")
        }
        for tensor in scans where tensor.rank < 2 || tensor.shape[0] != batch || tensor.shape[1] != longest {
            throw .invalidArgument(
                "Scan: scan inputs need shape [\(batch), \(longest), ...] like the first, got \(tensor.shape)")
        }
        var sequenceLengths = [Int](repeating: longest, count: batch)
        if let lengths {
            let values = try lengths.integers("Scan sequence_lens")
            // onnxruntime refuses empty sequences too.
            guard values.count == batch, values.allSatisfy({ $0 >= 1 && $0 <= longest }) else {
                throw .invalidArgument(
                    "Scan: sequence_lens must hold \(batch) lengths in 1...\(longest), got \(values)")
            }
            sequenceLengths = values
        }

        var finalStates = [[Tensor.Storage]](repeating: [], count: stateCount)
        var finalShapes = [[Int]?](repeating: nil, count: stateCount)
        var outputs = [[Tensor]](repeating: [], count: scanOutputCount)
        for entry in 0..<batch {
            var entryStates: [Value] = []
            for tensor in stateTensors { entryStates.append(.tensor(Self.entry(tensor, entry, length: nil))) }
            var entryScans: [Tensor] = []
            for tensor in scans { entryScans.append(Self.entry(tensor, entry, length: sequenceLengths[entry])) }
            let result = try iterate(entryStates, entryScans)
            for (index, state) in result.states.enumerated() {
                guard case .tensor(let tensor) = state, finalShapes[index] == nil || finalShapes[index] == tensor.shape,
                    finalStates[index].first.map({ $0.elementType == tensor.elementType }) ?? true
                else {
                    throw .runtime("Scan: final state \(index) differs in type or shape between batch entries")
                }
                finalShapes[index] = tensor.shape
                finalStates[index].append(tensor.storage)
            }
            for index in 0..<scanOutputCount {
                outputs[index].append(try stack(result.slices[index], steps: result.steps, output: index))
            }
        }

        var results: [Value] = []
        for (index, parts) in finalStates.enumerated() {
            let shape = finalShapes[index] ?? []
            let count = Tensor.elementCount(shape) ?? 0
            let storage = Tensor.Storage.joining(parts, parts.indices.map { ($0, 0..<count) })
            results.append(.tensor(Tensor(unchecked: [batch] + shape, storage)))
        }
        for (index, entries) in outputs.enumerated() {
            results.append(.tensor(try Self.padded(entries, longest: longest, output: index)))
        }
        return results
    }

    /// Batch entry `entry` of a batched input, keeping the first `length` steps of its sequence axis when given.
    private static func entry(_ tensor: Tensor, _ entry: Int, length: Int?) -> Tensor {
        var shape = Array(tensor.shape.dropFirst())
        let size = tensor.shape[0] == 0 ? 0 : tensor.count / tensor.shape[0]
        var count = size
        if let length, !shape.isEmpty {
            count = shape[0] == 0 ? 0 : size / shape[0] * length
            shape[0] = length
        }
        return Tensor(unchecked: shape, slice(tensor.storage, (entry * size)..<(entry * size + count)))
    }

    /// Per-entry scan outputs stacked over the batch, each padded with zeros to `longest` steps.
    private static func padded(_ entries: [Tensor], longest: Int, output index: Int) throws(ONNXError) -> Tensor {
        guard let model = entries.first else { throw .runtime("Scan: scan output \(index) has no batch entries") }
        let sliceShape = Array(model.shape.dropFirst())
        let sliceCount = Tensor.elementCount(sliceShape) ?? 0
        var parts: [Tensor.Storage] = [zeros(like: model.storage, count: longest * sliceCount)]
        var ranges: [(part: Int, range: Range<Int>)] = []
        for entry in entries {
            guard Array(entry.shape.dropFirst()) == sliceShape, entry.elementType == model.elementType else {
                throw .runtime("Scan: scan output \(index) differs in type or shape between batch entries")
            }
            parts.append(entry.storage)
            ranges.append((parts.count - 1, 0..<entry.count))
            ranges.append((0, 0..<((longest - entry.shape[0]) * sliceCount)))
        }
        return Tensor(unchecked: [entries.count, longest] + sliceShape, .joining(parts, ranges))
    }

    /// The elements of `storage` in `range`, as storage of the same type.
    private static func slice(_ storage: Tensor.Storage, _ range: Range<Int>) -> Tensor.Storage {
        switch storage {
        case .float(let values): .float(Array(values[range]))
        case .double(let values): .double(Array(values[range]))
        case .int32(let values): .int32(Array(values[range]))
        case .int64(let values): .int64(Array(values[range]))
        case .bool(let values): .bool(Array(values[range]))
        case .string(let values): .string(Array(values[range]))
        }
    }

    /// `count` zeros (false, empty strings) of the storage's type.
    private static func zeros(like storage: Tensor.Storage, count: Int) -> Tensor.Storage {
        switch storage {
        case .float: .float(Array(repeating: 0, count: count))
        case .double: .double(Array(repeating: 0, count: count))
        case .int32: .int32(Array(repeating: 0, count: count))
        case .int64: .int64(Array(repeating: 0, count: count))
        case .bool: .bool(Array(repeating: false, count: count))
        case .string: .string(Array(repeating: "", count: count))
        }
    }
}
