import Foundation
import KaizenONNX
import Testing

/// Models converted from scikit-learn, XGBoost and LightGBM estimators, with onnxruntime's outputs on held-out rows
/// (made by `interop/onnx/make_parity_fixtures.py`). Labels must be equal; scores within 1e-5.
@Suite(.enabled(if: Fixtures.available, Fixtures.missing))
struct ParityTests {
    static let cases = BackendTestCase.all(in: "parity")

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= 50, "run `make onnx-fixtures` to generate the parity fixtures")
    }

    @Test(arguments: cases)
    func matchesOnnxRuntime(_ testCase: BackendTestCase) throws {
        let model = try testCase.loadModel()
        let (rtol, atol) = testCase.tolerances
        let problems = try testCase.dataSet(for: model).mismatches(
            running: model, rtol: max(rtol, 1e-5), atol: max(atol, 1e-5))
        #expect(problems.isEmpty, "\(testCase.name): \(problems.joined(separator: "; "))")
    }
}
