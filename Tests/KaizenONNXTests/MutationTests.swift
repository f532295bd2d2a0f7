import Foundation
import Testing

@testable import KaizenONNX

/// Damaged models must give an error, never a crash: every converted-model fixture is loaded and run with bytes
/// flipped, truncated and duplicated at many places (a fixed pseudo-random sequence, so failures reproduce).
struct MutationTests {
    @Test func damagedModelsFailCleanly() throws {
        var generator = SplitMix(seed: 0x6B61_697A_656E)
        var loaded = 0
        var refused = 0
        for testCase in BackendTestCase.all(in: "parity") {
            let file = testCase.directory.appendingPathComponent("model.onnx")
            let original = try Data(contentsOf: file)
            let reference = try ONNXModel(contentsOf: file)
            let dataSet = try testCase.dataSet(for: reference)
            for round in 0..<60 {
                var bytes = [UInt8](original)
                switch round % 3 {
                case 0:
                    for _ in 0...(generator.next() % 4) {
                        let index = Int(generator.next() % UInt64(bytes.count))
                        bytes[index] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                    }
                case 1:
                    bytes.removeLast(Int(generator.next() % UInt64(bytes.count)))
                default:
                    let start = Int(generator.next() % UInt64(bytes.count))
                    let length = min(Int(generator.next() % 64), bytes.count - start)
                    bytes.insert(contentsOf: bytes[start..<(start + length)], at: start)
                }
                do {
                    let model = try ONNXModel(
                        serializedData: Data(bytes), baseDirectory: testCase.directory)
                    loaded += 1
                    _ = try? model.run(ordered: dataSet.inputs)
                } catch {
                    refused += 1
                }
            }
        }
        print("damaged models: \(loaded) still loaded (and ran or failed cleanly), \(refused) refused")
        #expect(loaded + refused >= 50 * 60)
    }
}

/// A small deterministic pseudo-random generator.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every converted model also takes a batch of one row and an empty batch (results, or a clear error, never a crash),
/// and one row scored alone gives the same outputs as in a batch.
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
