import Foundation
import KaizenONNX
import Testing

/// A model with one data set in ONNX's backend-test layout: `model.onnx`, `test_data_set_0/input_*.pb`,
/// `output_*.pb`, and Kaizen's `case.json` with tolerances.
struct BackendTestCase: CustomTestStringConvertible, Sendable {
    let directory: URL
    var name: String { directory.lastPathComponent }
    var testDescription: String { name }

    /// The fixtures root: `$KAIZEN_ONNX_FIXTURES`, else `.fixtures/onnx` in the package (made by `make onnx-fixtures`).
    static var fixturesRoot: URL {
        if let path = ProcessInfo.processInfo.environment["KAIZEN_ONNX_FIXTURES"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx")
    }

    static func all(in suite: String) -> [BackendTestCase] {
        let root = fixturesRoot.appendingPathComponent(suite)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map {
            BackendTestCase(directory: root.appendingPathComponent($0))
        }
    }

    var tolerances: (rtol: Double, atol: Double) {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("case.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return (1e-3, 1e-7) }
        return ((object["rtol"] as? Double) ?? 1e-3, (object["atol"] as? Double) ?? 1e-7)
    }

    func loadModel() throws -> ONNXModel {
        try ONNXModel(contentsOf: directory.appendingPathComponent("model.onnx"))
    }

    /// The data set's inputs by name and expected outputs in order.
    func dataSet(for model: ONNXModel) throws -> (inputs: [String: Value], outputs: [Value]) {
        let set = directory.appendingPathComponent("test_data_set_0")
        var inputs: [String: Value] = [:]
        for (index, info) in model.inputs.enumerated() {
            let file = set.appendingPathComponent("input_\(index).pb")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            inputs[info.name] = try Value(serializedData: Data(contentsOf: file), as: info.type)
        }
        var outputs: [Value] = []
        for (index, info) in model.outputs.enumerated() {
            let file = set.appendingPathComponent("output_\(index).pb")
            outputs.append(try Value(serializedData: Data(contentsOf: file), as: info.type))
        }
        return (inputs, outputs)
    }
}

/// Why an actual value differs from the expected one, or `nil` when they agree within tolerance.
func mismatch(_ actual: Value, _ expected: Value, rtol: Double, atol: Double) -> String? {
    switch (actual, expected) {
    case (.tensor(let a), .tensor(let e)):
        guard a.elementType == e.elementType else { return "type \(a.elementType), expected \(e.elementType)" }
        guard a.count == e.count, a.shape == e.shape || (a.count == e.count && a.shape.reduce(1, *) == e.shape.reduce(1, *) && squeezed(a.shape) == squeezed(e.shape)) else {
            return "shape \(a.shape), expected \(e.shape)"
        }
        switch (a.storage, e.storage) {
        case (.float(let x), .float(let y)): return closeness(x.map(Double.init), y.map(Double.init), rtol, atol)
        case (.double(let x), .double(let y)): return closeness(x, y, rtol, atol)
        default:
            return a.storage == e.storage ? nil : "values differ: \(describe(a)) vs expected \(describe(e))"
        }
    case (.mapSequence(let a), .mapSequence(let e)):
        guard a.keys == e.keys else { return "map keys \(a.keys), expected \(e.keys)" }
        guard a.values.count == e.values.count else { return "\(a.count) maps, expected \(e.count)" }
        return closeness(a.values.map(Double.init), e.values.map(Double.init), rtol, atol)
    default:
        return "value kind \(actual.valueType), expected \(expected.valueType)"
    }
}

private func squeezed(_ shape: [Int]) -> [Int] { shape.filter { $0 != 1 } }

private func closeness(_ actual: [Double], _ expected: [Double], _ rtol: Double, _ atol: Double) -> String? {
    var worst: (index: Int, excess: Double)?
    for index in actual.indices {
        let a = actual[index]
        let e = expected[index]
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        let excess = abs(a - e) - (atol + rtol * abs(e))
        if excess > 0 || a.isNaN || e.isNaN, worst == nil || excess > worst!.excess {
            worst = (index, excess.isNaN ? .infinity : excess)
        }
    }
    guard let worst else { return nil }
    return "element \(worst.index): \(actual[worst.index]) vs expected \(expected[worst.index])"
}

private func describe(_ tensor: Tensor) -> String {
    let text = "\(tensor.storage)"
    return text.count > 200 ? String(text.prefix(200)) + "…" : text
}
