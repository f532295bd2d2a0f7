import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// Signatures parse from the JSON that `MLmodel` holds.
struct ModelSignatureTests {
    @Test func signaturesParseFromMLmodelJSON() throws {
        let columns = try ModelSignature(
            parsingJSON:
                #"[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "s", "required": false}]"#
        )
        #expect(
            columns
                == .columns([
                    ColumnSpec(name: "x", type: .double), ColumnSpec(name: "s", type: .string, required: false),
                ]))
        let tensors = try ModelSignature(
            parsingJSON: #"[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]"#)
        #expect(tensors == .tensors([TensorSpec(name: nil, dtype: "float32", shape: [-1, 4])]))
        #expect(throws: ServingError.self) {
            try ModelSignature(parsingJSON: #"[{"type": "complex128", "name": "z"}]"#)
        }
        #expect(throws: ServingError.self) { try ModelSignature(parsingJSON: "not json") }
    }
}
