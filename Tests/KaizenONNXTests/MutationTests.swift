import Foundation
import KaizenCore
import Testing

@testable import KaizenONNX

/// Damaged models must give an error, never a crash: every converted-model fixture is loaded and run with bytes
/// flipped, truncated and duplicated at many places (a seeded pseudo-random sequence, so failures reproduce).
@Suite(.enabled(if: Fixtures.available, Fixtures.missing))
struct MutationTests {
    @Test func damagedModelsFailCleanly() throws {
        let seed = try SplitMix64.seed(default: 0x6B61_697A_656E)
        var generator = SplitMix64(seed: seed)
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
        print("damaged models (seed \(seed)): \(loaded) still loaded (and ran or failed cleanly), \(refused) refused")
        #expect(loaded + refused >= 50 * 60, "seed \(seed)")
    }
}
