import Foundation
import Testing

@testable import KaizenONNX

/// Every converted model also takes a batch of one row and an empty batch (results, or a clear error, never a crash),
/// and one row scored alone gives the same outputs as in a batch.
@Suite(.enabled(if: Fixtures.available, Fixtures.missing))
struct BatchEdgeTests {
    @Test(arguments: BackendTestCase.all(in: "parity"))
    func singleAndEmptyBatches(_ testCase: BackendTestCase) throws {
        let model = try testCase.loadModel()
        let dataSet = try testCase.dataSet(for: model)
        let batch = try model.run(ordered: dataSet.inputs)
        var first: [String: Value] = [:]
        var empty: [String: Value] = [:]
        for (name, value) in dataSet.inputs {
            guard let tensor = value.tensor, tensor.rank >= 1, tensor.shape[0] > 0 else { return }
            let width = tensor.count / tensor.shape[0]
            first[name] = .tensor(
                try Tensor(shape: [1] + tensor.shape.dropFirst(), storage: tensor.storage.picking(Array(0..<width))))
            empty[name] = .tensor(
                try Tensor(shape: [0] + tensor.shape.dropFirst(), storage: tensor.storage.picking([])))
        }
        let single = try model.run(ordered: first)
        for (index, output) in model.outputs.enumerated() {
            switch (single[index], batch[index]) {
            case (.tensor(let one), .tensor(let all)):
                let width = all.shape.first.map { $0 == 0 ? 0 : all.count / $0 } ?? 0
                let expected = Value.tensor(
                    try Tensor(shape: one.shape, storage: all.storage.picking(Array(0..<width))))
                let problem = ReferenceDataSet.mismatch(single[index], expected, rtol: 1e-5, atol: 1e-5)
                #expect(problem == nil, "\(testCase.name) '\(output.name)' for one row: \(problem ?? "")")
            case (.mapSequence(let one), .mapSequence(let all)):
                let expected = MapSequence(keys: all.keys, values: Array(all.values(ofMap: 0)))
                #expect(
                    ReferenceDataSet.mismatch(.mapSequence(one), .mapSequence(expected), rtol: 1e-5, atol: 1e-5) == nil)
            default:
                Issue.record("\(testCase.name) '\(output.name)': output kinds differ")
            }
        }
        _ = try? model.run(ordered: empty)
    }
}
