import Foundation
import KaizenONNX
import Testing

/// ONNX's own backend node tests for the operators Kaizen supports (made by `interop/onnx/make_node_tests.py`),
/// compared with ONNX's tolerances. A test whose model Kaizen refuses at load (an element type such as float16 or
/// int8, or an opset it does not implement) is counted as refused, with the reason; every loaded test must pass.
@Suite(.enabled(if: Fixtures.available, Fixtures.missing))
struct ConformanceTests {
    @Test func nodeTestsPass() throws {
        let cases = BackendTestCase.all(in: "node")
        #expect(cases.count >= 300, "run `make onnx-fixtures` to generate ONNX's node tests")
        var passed = 0
        var refused: [String: [String]] = [:]
        var failed: [String] = []
        for testCase in cases {
            let model: ONNXModel
            do {
                model = try testCase.loadModel()
            } catch let error as ONNXError where error.code == .notImplemented {
                refused[Self.reason(error.message), default: []].append(testCase.name)
                continue
            }
            do {
                let (rtol, atol) = testCase.tolerances
                let problems = try testCase.dataSet(for: model).mismatches(running: model, rtol: rtol, atol: atol)
                if problems.isEmpty {
                    passed += 1
                } else {
                    failed.append("\(testCase.name): \(problems.joined(separator: "; "))")
                }
            } catch {
                failed.append("\(testCase.name): \(error)")
            }
        }
        let refusedCount = refused.values.reduce(0) { $0 + $1.count }
        print(
            "ONNX node tests: \(passed) passed, \(failed.count) failed, \(refusedCount) refused at load, of \(cases.count)"
        )
        for (reason, names) in refused.sorted(by: { $0.value.count > $1.value.count }) {
            print("  refused (\(names.count)): \(reason) e.g. \(names.prefix(3).joined(separator: ", "))")
        }
        for failure in failed { print("  FAILED \(failure)") }
        #expect(failed.isEmpty, "\(failed.count) node tests failed: \(failed.prefix(10).joined(separator: "\n"))")
    }

    /// A refusal message with names and numbers stripped, to group refusals by cause.
    private static func reason(_ message: String) -> String {
        message.replacingOccurrences(of: #"'[^']*'"#, with: "'…'", options: .regularExpression)
    }
}
