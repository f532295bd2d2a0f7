public import Foundation

/// Inputs and expected outputs stored beside a model in ONNX's backend-test layout (`test_data_set_0/input_0.pb`,
/// `output_0.pb`, ...), for checking Kaizen's results against a reference runtime's.
public struct ReferenceDataSet: Sendable {
    /// The inputs by name.
    public let inputs: [String: Value]
    /// The expected outputs, in the model's output order.
    public let outputs: [Value]

    /// Reads the data set in `directory` for `model` (missing input files are left out, for optional inputs).
    public init(directory: URL, model: ONNXModel) throws(ONNXError) {
        var inputs: [String: Value] = [:]
        for (index, info) in model.inputs.enumerated() {
            let file = directory.appendingPathComponent("input_\(index).pb")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            inputs[info.name] = try Value(serializedData: try Self.read(file), as: info.type)
        }
        var outputs: [Value] = []
        for (index, info) in model.outputs.enumerated() {
            outputs.append(
                try Value(
                    serializedData: try Self.read(directory.appendingPathComponent("output_\(index).pb")), as: info.type
                ))
        }
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The `rtol`/`atol` a test case's `case.json` asks for, if it has one (in the case folder, beside model.onnx).
    public static func tolerances(inCase directory: URL) -> (rtol: Double?, atol: Double?) {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("case.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return (nil, nil) }
        return (object["rtol"] as? Double, object["atol"] as? Double)
    }

    private static func read(_ file: URL) throws(ONNXError) -> Data {
        do {
            return try Data(contentsOf: file)
        } catch {
            throw ONNXError(.fileUnavailable, "cannot read '\(file.path)'")
        }
    }

    /// Runs the model and describes every output that differs from the expected one beyond `|a − e| ≤ atol + rtol·|e|`
    /// (labels, integers and strings must be equal); empty when all agree.
    public func mismatches(running model: ONNXModel, rtol: Double, atol: Double) throws(ONNXError) -> [String] {
        let actual = try model.run(ordered: inputs)
        var problems: [String] = []
        for (index, output) in model.outputs.enumerated() where index < outputs.count {
            if let problem = Self.mismatch(actual[index], outputs[index], rtol: rtol, atol: atol) {
                problems.append("output '\(output.name)': \(problem)")
            }
        }
        return problems
    }

    /// Why an actual value differs from the expected one, or `nil` when they agree within tolerance.
    public static func mismatch(_ actual: Value, _ expected: Value, rtol: Double, atol: Double) -> String? {
        switch (actual, expected) {
        case (.tensor(let a), .tensor(let e)):
            guard a.elementType == e.elementType else { return "type \(a.elementType), expected \(e.elementType)" }
            // A declared [1] against a real [N] (or [N] against [N, 1]) is the same data; compare the elements.
            guard a.count == e.count, a.shape.filter({ $0 != 1 }) == e.shape.filter({ $0 != 1 }) else {
                return "shape \(a.shape), expected \(e.shape)"
            }
            switch (a.storage, e.storage) {
            case (.float(let x), .float(let y)): return closeness(x.map(Double.init), y.map(Double.init), rtol, atol)
            case (.double(let x), .double(let y)): return closeness(x, y, rtol, atol)
            default:
                guard a.storage != e.storage else { return nil }
                let index = (0..<a.count).first { a.storage.picking([$0]) != e.storage.picking([$0]) } ?? 0
                return "element \(index) is \(a.storage.picking([index])), expected \(e.storage.picking([index]))"
            }
        case (.mapSequence(let a), .mapSequence(let e)):
            guard a.keys == e.keys else { return "map keys \(a.keys), expected \(e.keys)" }
            guard a.values.count == e.values.count else { return "\(a.count) maps, expected \(e.count)" }
            return closeness(a.values.map(Double.init), e.values.map(Double.init), rtol, atol)
        default:
            return "value kind \(actual.valueType), expected \(expected.valueType)"
        }
    }

    private static func closeness(_ actual: [Double], _ expected: [Double], _ rtol: Double, _ atol: Double) -> String? {
        var worst: (index: Int, excess: Double)?
        for index in actual.indices {
            let (a, e) = (actual[index], expected[index])
            if a == e || (a.isNaN && e.isNaN) { continue }
            let excess = a.isNaN || e.isNaN ? Double.infinity : abs(a - e) - (atol + rtol * abs(e))
            if excess > 0, excess > (worst?.excess ?? -1) { worst = (index, excess) }
        }
        guard let worst else { return nil }
        return "element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])"
    }
}
