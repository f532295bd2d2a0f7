import Foundation
import Testing

@testable import KaizenONNX

/// A dense layer followed by GELU, as opset 20's `Gelu` or as the separate operators PyTorch's exporter writes
/// before it, runs as one `DenseKernel` with the activation in its epilogue, with the values of the operators one
/// after the other.
struct DenseFusionTests {
    typealias B = ModelBuilder

    static let (rows, inner, columns) = (5, 4, 37)
    static let x = (0..<(rows * inner)).map { Float($0 % 7) * 0.4 - 1.3 }
    static let weights = (0..<(inner * columns)).map { Float(($0 * 5) % 11) * 0.15 - 0.8 }
    static let bias = (0..<columns).map { Float($0 % 5) * 0.2 - 0.4 }

    /// `gelu(x · W + B)` in double.
    static var expected: [Double] {
        (0..<(rows * columns)).map { index in
            let (row, column) = (index / columns, index % columns)
            let sum =
                (0..<inner).reduce(0.0) { $0 + Double(x[row * inner + $1]) * Double(weights[$1 * columns + column]) }
                + Double(bias[column])
            return sum * (1 + Foundation.erf(sum / 2.0.squareRoot())) / 2
        }
    }

    static func scalar(_ name: String, _ value: Float) -> Onnx_TensorProto { B.floatTensor(name, [], [value]) }

    static func model(_ activation: [Onnx_NodeProto], opset: Int64, extraOutputs: [String] = []) throws -> ONNXModel {
        let nodes = [B.node("MatMul", ["x", "W"], ["product"]), B.node("Add", ["product", "B"], ["h"])] + activation
        let outputs =
            [B.valueInfo("y", 1, [Int64(rows), Int64(columns)])]
            + extraOutputs.map { B.valueInfo($0, 1, [Int64(rows), Int64(columns)]) }
        let initializers = [
            B.floatTensor("W", [Int64(inner), Int64(columns)], weights), B.floatTensor("B", [Int64(columns)], bias),
            scalar("root2", Float(2).squareRoot()), scalar("one", 1), scalar("half", 0.5),
        ]
        let proto = B.model(
            nodes: nodes, inputs: [B.valueInfo("x", 1, [Int64(rows), Int64(inner)])], outputs: outputs,
            initializers: initializers, opsets: [("", opset)])
        return try ONNXModel(serializedData: try B.data(proto))
    }

    /// The exporter's GELU before opset 20: `h · (1 + erf(h / √2)) · 0.5`.
    static let exported = [
        B.node("Div", ["h", "root2"], ["scaled"]), B.node("Erf", ["scaled"], ["erf"]),
        B.node("Add", ["erf", "one"], ["shifted"]), B.node("Mul", ["h", "shifted"], ["product2"]),
        B.node("Mul", ["product2", "half"], ["y"]),
    ]

    func check(_ model: ONNXModel, fused: Bool) throws {
        let result = try model.run(["x": try Tensor(shape: [Self.rows, Self.inner], floats: Self.x)])
        let y = try #require(result["y"]?.tensor?.floats)
        let worst = zip(y, Self.expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "worst difference \(worst)")
        let geluLayers = model.plan.steps.filter { ($0.kernel as? DenseKernel)?.activation == .gelu }
        #expect(geluLayers.count == (fused ? 1 : 0), "\(model.plan.steps.map(\.label))")
        if fused { #expect(model.plan.steps.count == 1, "\(model.plan.steps.map(\.label))") }
    }

    @Test func theOperatorGeluIsFolded() throws {
        try check(try Self.model([B.node("Gelu", ["h"], ["y"])], opset: 20), fused: true)
    }

    @Test func theExportersGeluIsFolded() throws {
        try check(try Self.model(Self.exported, opset: 14), fused: true)
    }

    /// The layer's output is also read by the caller: the GELU cannot take it over.
    @Test func aLayerWhoseOutputIsSeenKeepsItsGeluApart() throws {
        try check(try Self.model(Self.exported, opset: 14, extraOutputs: ["h"]), fused: false)
        try check(try Self.model([B.node("Gelu", ["h"], ["y"])], opset: 20, extraOutputs: ["h"]), fused: false)
    }
}
