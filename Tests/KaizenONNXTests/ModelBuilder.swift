import Foundation
import SwiftProtobuf

@testable import KaizenONNX

/// Builds small ONNX models in memory for tests.
enum ModelBuilder {
    static func valueInfo(_ name: String, _ type: Int32 = 1, _ dims: [Int64?] = [nil, 2]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { size in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let size { dim.dimValue = size } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        info.type.tensorType = tensor
        return info
    }

    static func node(
        _ op: String, _ inputs: [String], _ outputs: [String], name: String = "", domain: String = "",
        attributes: [Onnx_AttributeProto] = []
    ) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.name = name
        node.domain = domain
        node.attribute = attributes
        return node
    }

    static func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = ints
        return attribute
    }

    static func attribute(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .floats
        attribute.floats = floats
        return attribute
    }

    static func attribute(_ name: String, strings: [String]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .strings
        attribute.strings = strings.map { Data($0.utf8) }
        return attribute
    }

    static func floatTensor(_ name: String, _ dims: [Int64], _ values: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = 1
        tensor.dims = dims
        tensor.floatData = values
        return tensor
    }

    static func model(
        nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto],
        initializers: [Onnx_TensorProto] = [], opsets: [(String, Int64)] = [("", 17)], irVersion: Int64 = 8
    ) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "kaizen-tests"
        model.opsetImport = opsets.map { domain, version in
            var opset = Onnx_OperatorSetIdProto()
            opset.domain = domain
            opset.version = version
            return opset
        }
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.input = inputs
        graph.output = outputs
        graph.initializer = initializers
        model.graph = graph
        return model
    }

    static func data(_ model: Onnx_ModelProto) throws -> Data {
        try model.serializedBytes()
    }
}
