import Foundation
import KaizenONNX
import Testing

/// A model with one data set in ONNX's backend-test layout: `model.onnx`, `test_data_set_0/input_*.pb`,
/// `output_*.pb`, and Kaizen's `case.json` with tolerances.
struct BackendTestCase: CustomTestStringConvertible, Sendable {
    let directory: URL
    var name: String { directory.lastPathComponent }
    var testDescription: String { name }

    /// The cases of one fixture suite (`parity` or `node`), by name; none when the fixtures are missing.
    static func all(in suite: String) -> [BackendTestCase] {
        let root = Fixtures.root.appendingPathComponent(suite)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map {
            BackendTestCase(directory: root.appendingPathComponent($0))
        }
    }

    /// The case's tolerances, else ONNX's backend-test defaults.
    var tolerances: (rtol: Double, atol: Double) {
        let given = ReferenceDataSet.tolerances(inCase: directory)
        return (given.rtol ?? 1e-3, given.atol ?? 1e-7)
    }

    func loadModel() throws -> ONNXModel {
        try ONNXModel(contentsOf: directory.appendingPathComponent("model.onnx"))
    }

    func dataSet(for model: ONNXModel) throws -> ReferenceDataSet {
        try ReferenceDataSet(directory: directory.appendingPathComponent("test_data_set_0"), model: model)
    }
}
