import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// Predictions are written as `mlflow models serve` writes them.
struct PredictionEncoderTests {
    @Test func floatsAreWrittenAsNumPyWidensThem() {
        let value = Value.tensor(try! Tensor(shape: [1], floats: [0.98]))
        let text = String(
            decoding: PredictionEncoder.predictions([("p", value)], rows: 1, style: .records), as: UTF8.self)
        #expect(text == "{\"predictions\": [{\"p\": 0.9800000190734863}]}")
    }
}
