import Foundation
import KaizenONNX
import Testing

@testable import KaizenServing

/// The converted scikit-learn models of the ONNX parity fixtures (`make onnx-fixtures`), which the serving tests score.
/// Suites that need them are skipped, with `missing` as the reason, where they have not been made.
enum ServingFixtures {
    static let parity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity")

    static var available: Bool {
        FileManager.default.fileExists(atPath: parity.appendingPathComponent("rf_reg/model.onnx").path)
    }

    static let missing: Comment = "needs .fixtures/onnx: run make onnx-fixtures"

    /// A 10-feature random-forest regressor: one input `X` float[N, 10], one output `variable` float[N, 1].
    static func regressor(signature: ModelSignature? = nil) throws -> ScoringModel {
        let engine = try ONNXModel(contentsOf: parity.appendingPathComponent("rf_reg/model.onnx"))
        return ScoringModel(engine: engine, signature: signature, name: "rf_reg", version: "3")
    }

    /// A column-transformer pipeline: inputs age, income (float[N, 1]), city, plan (string[N, 1]); ZipMap output.
    static func pipeline() throws -> ScoringModel {
        let engine = try ONNXModel(contentsOf: parity.appendingPathComponent("coltrans_logreg/model.onnx"))
        let signature = ModelSignature.columns([
            ColumnSpec(name: "age", type: .float), ColumnSpec(name: "income", type: .float),
            ColumnSpec(name: "city", type: .string), ColumnSpec(name: "plan", type: .string),
        ])
        return ScoringModel(engine: engine, signature: signature, name: "pipe", version: nil)
    }
}
