import Foundation
import Testing

@testable import KaizenONNX

/// Transformer encoders laid out as PyTorch's exporter lays them out (`interop/text/make_encoder_fixtures.py`): the
/// real all-MiniLM-L6-v2 at opsets 11, 14 and 17, and small random BERT, RoBERTa and DistilBERT structures, on
/// tokenized sentences of several lengths padded into one batch. Every output within 1e-4 of onnxruntime's.
@Suite(.enabled(if: Fixtures.available, Fixtures.missing))
struct EncoderTests {
    static let cases = BackendTestCase.all(in: "encoders")

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= 8, "run `make onnx-fixtures` to generate the encoder fixtures")
    }

    /// The exporter's attention, layer normalization and GELU run fused: no Softmax, Erf or ReduceMean step is left,
    /// and each GELU is applied by the dense layer that feeds it.
    @Test(arguments: cases)
    func runsFused(_ testCase: BackendTestCase) throws {
        let model = try testCase.loadModel()
        let kernels = model.plan.steps.map(\.kernel)
        let left = model.plan.steps.filter {
            $0.kernel is SoftmaxKernel || ($0.kernel is ReduceKernel && $0.label.hasSuffix("(ReduceMean)"))
                || $0.label.hasSuffix("(Erf)")
        }.map(\.label)
        #expect(left.isEmpty, "\(testCase.name): \(left.prefix(4))")
        #expect(kernels.contains { $0 is AttentionKernel }, "\(testCase.name)")
        #expect(kernels.contains { ($0 as? DenseKernel)?.activation == .gelu }, "\(testCase.name)")
        #expect(!kernels.contains { ($0 as? UnaryKernel)?.operation == .gelu }, "\(testCase.name)")
    }

    /// A call split across threads (rows of the products, heads of the attention) gives the one-thread answer,
    /// bit for bit.
    @Test func threadsGiveTheSameAnswer() throws {
        let testCase = try #require(Self.cases.first { $0.name == "minilm_opset14" })
        let model = try testCase.loadModel()
        let feeds = try testCase.dataSet(for: model).inputs
        IntraOpThreads.set(1)
        let alone = try model.run(feeds)
        IntraOpThreads.set(3)
        defer { IntraOpThreads.set(1) }
        let split = try model.run(feeds)
        #expect(alone.keys.sorted() == split.keys.sorted())
        for (name, value) in alone { #expect(split[name]?.tensor == value.tensor, "\(name)") }
    }

    @Test(arguments: cases)
    func matchesOnnxRuntime(_ testCase: BackendTestCase) throws {
        let model = try testCase.loadModel()
        let (rtol, atol) = testCase.tolerances
        let problems = try testCase.dataSet(for: model).mismatches(running: model, rtol: rtol, atol: atol)
        #expect(problems.isEmpty, "\(testCase.name): \(problems.prefix(3).joined(separator: "; "))")
    }
}
