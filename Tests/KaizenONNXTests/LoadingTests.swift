import Foundation
import Testing

@testable import KaizenONNX

/// Loading validates models, and bad models or inputs give clear errors instead of crashes.
struct LoadingTests {
    typealias B = ModelBuilder

    /// `Y = X + B` with a constant B.
    static func addModel() -> Onnx_ModelProto {
        B.model(
            nodes: [B.node("Add", ["X", "B"], ["Y"], name: "add")], inputs: [B.valueInfo("X")],
            outputs: [B.valueInfo("Y")], initializers: [B.floatTensor("B", [2], [10, 20])])
    }

    @Test func runsAndDescribesAModel() throws {
        let model = try ONNXModel(serializedData: try B.data(Self.addModel()))
        #expect(model.inputs == [ValueInfo(name: "X", type: .tensor(.float, [.symbolic("N"), .known(2)]))])
        #expect(model.outputs.map(\.name) == ["Y"])
        let result = try model.run(["X": try Tensor(shape: [2, 2], floats: [1, 2, 3, 4])])
        #expect(result["Y"]?.tensor == (try Tensor(shape: [2, 2], floats: [11, 22, 13, 24])))
    }

    @Test func refusesTruncatedAndCorruptFiles() throws {
        let bytes = try B.data(Self.addModel())
        for cut in [1, bytes.count / 3, bytes.count - 1] {
            #expect(throws: ONNXError.self) { try ONNXModel(serializedData: bytes.prefix(cut)) }
        }
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        #expect(throws: ONNXError.self) { try ONNXModel(serializedData: garbage) }
        #expect(throws: ONNXError.self) { try ONNXModel(serializedData: Data()) }
    }

    @Test func refusesUnsupportedOperatorNamingNodeDomainAndOpset() throws {
        var proto = Self.addModel()
        proto.graph.node = [B.node("Einsum", ["X", "B"], ["Y"], name: "mixer")]
        let error = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(proto)) }
        #expect(error.code == .notImplemented)
        for part in ["'mixer'", "Einsum", "'ai.onnx'", "opset 17"] { #expect(error.message.contains(part), "\(error)") }
    }

    @Test func refusesUnknownDomainsTooNewOpsetsAndDeprecatedTrees() throws {
        var proto = Self.addModel()
        proto.graph.node[0].domain = "com.example"
        #expect(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(proto)) }
        proto = Self.addModel()
        proto.opsetImport[0].version = 99
        let error = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(proto)) }
        #expect(error.message.contains("opset 99"))
        let tree = B.model(
            nodes: [B.node("TreeEnsembleRegressor", ["X"], ["Y"], name: "trees", domain: "ai.onnx.ml")],
            inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")], opsets: [("", 17), ("ai.onnx.ml", 5)])
        let deprecated = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(tree)) }
        #expect(deprecated.message.contains("opset 5") && deprecated.message.contains("TreeEnsembleRegressor"))
    }

    @Test func refusesCyclesDanglingNamesAndDuplicateOutputs() throws {
        let cycle = B.model(
            nodes: [
                B.node("Relu", ["X"], ["A"]), B.node("Add", ["A", "C"], ["C2"]),
                B.node("Relu", ["C2"], ["C"]), B.node("Identity", ["C"], ["Y"]),
            ],
            inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")])
        let error = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(cycle)) }
        #expect(error.code == .invalidGraph && error.message.contains("cycle"), "\(error)")
        let dangling = B.model(
            nodes: [B.node("Add", ["X", "missing"], ["Y"])], inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")])
        let danglingError = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(dangling)) }
        #expect(danglingError.message.contains("'missing'"))
        let twice = B.model(
            nodes: [B.node("Relu", ["X"], ["Y"]), B.node("Neg", ["X"], ["Y"])], inputs: [B.valueInfo("X")],
            outputs: [B.valueInfo("Y")])
        #expect(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(twice)) }
        let noOutput = B.model(nodes: [], inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")])
        #expect(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(noOutput)) }
    }

    @Test func refusesUnsupportedElementTypes() throws {
        var proto = Self.addModel()
        proto.graph.input = [B.valueInfo("X", 2)]
        let error = try #require(throws: ONNXError.self) { try ONNXModel(serializedData: try B.data(proto)) }
        #expect(error.code == .notImplemented && error.message.contains("uint8"), "\(error)")
    }

    /// Half-precision inputs and weights are widened to float at load: a float16 input is a float input, and
    /// float16 (raw or typed) and bfloat16 initializers hold their exact values as floats.
    @Test func widensHalfPrecisionToFloat() throws {
        var proto = Self.addModel()
        proto.graph.input = [B.valueInfo("X", 10)]
        let model = try ONNXModel(serializedData: try B.data(proto))
        #expect(model.inputs.first?.type == .tensor(.float, [.symbolic("N"), .known(2)]))

        let values: [Float] = [1.5, -0.333251953125, 65504, 0]
        var half = Onnx_TensorProto()
        half.dataType = 10
        half.dims = [4]
        half.rawData = Data(values.flatMap { value in withUnsafeBytes(of: Float16(value).bitPattern) { Array($0) } })
        #expect(try TensorDecoder.decode(half, baseDirectory: nil).floats == values)
        half.clearRawData()
        half.int32Data = values.map { Int32(Float16($0).bitPattern) }
        #expect(try TensorDecoder.decode(half, baseDirectory: nil).floats == values)
        var brain = Onnx_TensorProto()
        brain.dataType = 16
        brain.dims = [2]
        brain.int32Data = [0x3FC0, 0xC040]
        #expect(try TensorDecoder.decode(brain, baseDirectory: nil).floats == [1.5, -3])
        #expect(CastKernel.round(1.0 + 1.0 / 512, to: 16) == 1)
        #expect(CastKernel.round(1.0 / 3, to: 10) == Float(Float16(1.0 / 3)))
    }

    /// Nodes of constants alone are computed at load: weights stored in float16 and cast to float become float
    /// weights, which the dense fusion then takes (one step left), with the same answers.
    @Test func foldsNodesOfConstantsAtLoad() throws {
        var half = Onnx_TensorProto()
        half.name = "W_half"
        half.dataType = 10
        half.dims = [2, 2]
        half.int32Data = [1, 2, 3, 4].map { Int32(Float16(Float($0)).bitPattern) }
        var cast = B.node("Cast", ["W_half"], ["W"], name: "widen")
        cast.attribute = [
            {
                var to = Onnx_AttributeProto()
                to.name = "to"
                to.type = .int
                to.i = 1
                return to
            }()
        ]
        let proto = B.model(
            nodes: [cast, B.node("MatMul", ["X", "W"], ["M"]), B.node("Add", ["M", "B"], ["Y"])],
            inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")],
            initializers: [half, B.floatTensor("B", [2], [10, 20])])
        let model = try ONNXModel(serializedData: try B.data(proto))
        #expect(model.plan.steps.count == 1)
        let result = try model.run(["X": try Tensor(shape: [1, 2], floats: [1, 1])])
        #expect(result["Y"]?.tensor == (try Tensor(shape: [1, 2], floats: [14, 26])))
    }

    @Test func checksInputsAtRunTime() throws {
        let model = try ONNXModel(serializedData: try B.data(Self.addModel()))
        let missing = try #require(throws: ONNXError.self) { try model.run([String: Tensor]()) }
        #expect(missing.message.contains("'X' is missing"))
        let wrongType = try #require(throws: ONNXError.self) {
            try model.run(["X": try Tensor(shape: [1, 2], int64s: [1, 2])])
        }
        #expect(wrongType.message.contains("tensor(float)"))
        let wrongShape = try #require(throws: ONNXError.self) {
            try model.run(["X": try Tensor(shape: [1, 3], floats: [1, 2, 3])])
        }
        #expect(wrongShape.message.contains("axis 1"))
        let wrongRank = try #require(throws: ONNXError.self) {
            try model.run(["X": try Tensor(shape: [2], floats: [1, 2])])
        }
        #expect(wrongRank.message.contains("rank 2"))
        let extra = try #require(throws: ONNXError.self) {
            try model.run(["X": try Tensor(shape: [1, 2], floats: [1, 2]), "Z": try Tensor(shape: [1], floats: [1])])
        }
        #expect(extra.message.contains("'Z' is not an input"))
        #expect(throws: ONNXError.self) { try Tensor(shape: [2, 2], floats: [1]) }
    }

    @Test func refusesExternalDataOutsideTheModelFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-onnx-\(UUID().uuidString)")
        let inner = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0, 0, 32, 65, 0, 0, 160, 65]).write(to: folder.appendingPathComponent("secret.bin"))
        try Data([0, 0, 32, 65, 0, 0, 160, 65]).write(to: inner.appendingPathComponent("weights.bin"))
        try FileManager.default.createSymbolicLink(
            at: inner.appendingPathComponent("link.bin"),
            withDestinationURL: folder.appendingPathComponent("secret.bin"))

        func load(location: String) throws -> ONNXModel {
            var proto = Self.addModel()
            var tensor = Onnx_TensorProto()
            tensor.name = "B"
            tensor.dataType = 1
            tensor.dims = [2]
            tensor.dataLocation = .external
            var entry = Onnx_StringStringEntryProto()
            entry.key = "location"
            entry.value = location
            tensor.externalData = [entry]
            proto.graph.initializer = [tensor]
            let file = inner.appendingPathComponent("model.onnx")
            try B.data(proto).write(to: file)
            return try ONNXModel(contentsOf: file)
        }

        let model = try load(location: "weights.bin")
        let result = try model.run(["X": try Tensor(shape: [1, 2], floats: [1, 2])])
        #expect(result["Y"]?.tensor?.floats == [11, 22])
        for hostile in [
            "../secret.bin", "/etc/passwd", "link.bin", "sub/../../secret.bin", "./weights.bin", "", "a\0b",
        ] {
            let error = try #require(throws: ONNXError.self, "\(hostile)") { try load(location: hostile) }
            #expect(error.code == .invalidGraph, "\(hostile): \(error)")
        }
        let absent = try #require(throws: ONNXError.self) { try load(location: "absent.bin") }
        #expect(absent.code == .fileUnavailable)
    }

    @Test func refusesTreeEnsemblesWithCyclesOrDanglingChildren() throws {
        func tree(trueIDs: [Int64], falseIDs: [Int64]) -> Onnx_ModelProto {
            let attributes = [
                B.attribute("nodes_treeids", ints: [0, 0, 0]), B.attribute("nodes_nodeids", ints: [0, 1, 2]),
                B.attribute("nodes_featureids", ints: [0, 1, 0]),
                B.attribute("nodes_modes", strings: ["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"]),
                B.attribute("nodes_values", floats: [0.5, 0.5, 0]), B.attribute("nodes_truenodeids", ints: trueIDs),
                B.attribute("nodes_falsenodeids", ints: falseIDs), B.attribute("target_treeids", ints: [0]),
                B.attribute("target_nodeids", ints: [2]), B.attribute("target_ids", ints: [0]),
                B.attribute("target_weights", floats: [1]),
            ]
            return B.model(
                nodes: [B.node("TreeEnsembleRegressor", ["X"], ["Y"], domain: "ai.onnx.ml", attributes: attributes)],
                inputs: [B.valueInfo("X")], outputs: [B.valueInfo("Y")], opsets: [("", 17), ("ai.onnx.ml", 3)])
        }
        let valid = try ONNXModel(serializedData: try B.data(tree(trueIDs: [1, 2, 0], falseIDs: [2, 2, 0])))
        let result = try valid.run(["X": try Tensor(shape: [2, 2], floats: [0, 0, 1, 1])])
        #expect(result["Y"]?.tensor?.floats == [1, 1])
        let cyclic = try #require(throws: ONNXError.self) {
            try ONNXModel(serializedData: try B.data(tree(trueIDs: [1, 0, 0], falseIDs: [2, 2, 0])))
        }
        #expect(cyclic.message.contains("cycle"), "\(cyclic)")
        #expect(throws: ONNXError.self) {
            try ONNXModel(serializedData: try B.data(tree(trueIDs: [1, 7, 0], falseIDs: [2, 2, 0])))
        }
    }

    @Test func reportsRuntimeFailuresWithTheNode() throws {
        let gather = B.model(
            nodes: [B.node("Gather", ["X", "I"], ["Y"], name: "pick")],
            inputs: [B.valueInfo("X"), B.valueInfo("I", 7, [1])],
            outputs: [B.valueInfo("Y")])
        let model = try ONNXModel(serializedData: try B.data(gather))
        let error = try #require(throws: ONNXError.self) {
            try model.run(["X": try Tensor(shape: [1, 2], floats: [1, 2]), "I": try Tensor(shape: [1], int64s: [5])])
        }
        #expect(error.message.contains("'pick'") && error.message.contains("out of range"), "\(error)")
    }
}
