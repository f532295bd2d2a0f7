import Foundation

/// A model described in code rather than read from a file: typed inputs and outputs, nodes with their attributes, and
/// the operator sets they use. Libraries that read other model formats (XGBoost, LightGBM, scikit-learn) describe the
/// graph those models compute with the engine's operators and load it through `ONNXModel(blueprint:)`, so it is
/// validated and planned exactly as a file would be.
public struct ModelBlueprint: Sendable {
    /// A graph input or output: a tensor of `type` whose dimensions are known sizes or nil for any size.
    public struct Port: Sendable {
        public var name: String
        public var type: ElementType
        public var shape: [Int?]

        public init(name: String, type: ElementType, shape: [Int?]) {
            self.name = name
            self.type = type
            self.shape = shape
        }
    }

    /// An attribute's value, in the types the engine's operators take.
    public enum Attribute: Sendable {
        case int(Int64)
        case float(Float)
        case string(String)
        case ints([Int64])
        case floats([Float])
        case strings([String])
        /// A tensor (float, double, int32, int64, bool or string elements).
        case tensor(Tensor)
    }

    public struct Node: Sendable {
        public var opType: String
        /// `""` for the default ONNX domain, `ai.onnx.ml` for the ML operators.
        public var domain: String
        public var inputs: [String]
        public var outputs: [String]
        public var attributes: [(String, Attribute)]

        public init(
            _ opType: String, domain: String = "", inputs: [String], outputs: [String],
            attributes: [(String, Attribute)] = []
        ) {
            self.opType = opType
            self.domain = domain
            self.inputs = inputs
            self.outputs = outputs
            self.attributes = attributes
        }
    }

    public var inputs: [Port]
    public var outputs: [Port]
    public var nodes: [Node]
    /// Operator set versions by domain; the default domain and `ai.onnx.ml` by default.
    public var opsets: [String: Int64]
    /// Written into the model as its producer, for error messages and `/v2/models` metadata.
    public var producer: String

    public init(
        inputs: [Port], outputs: [Port], nodes: [Node], opsets: [String: Int64] = ["": 17, "ai.onnx.ml": 3],
        producer: String
    ) {
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.opsets = opsets
        self.producer = producer
    }
}

extension ONNXModel {
    /// Loads a model described by `blueprint`, with the checks and planning a model file gets.
    public init(blueprint: ModelBlueprint) throws(ONNXError) {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = blueprint.producer
        model.opsetImport = blueprint.opsets.sorted { $0.key < $1.key }.map { domain, version in
            var opset = Onnx_OperatorSetIdProto()
            opset.domain = domain
            opset.version = version
            return opset
        }
        var graph = Onnx_GraphProto()
        graph.name = blueprint.producer
        graph.input = blueprint.inputs.map(Self.valueInfo)
        graph.output = blueprint.outputs.map(Self.valueInfo)
        graph.node = blueprint.nodes.enumerated().map { index, node in
            var proto = Onnx_NodeProto()
            proto.name = "\(node.opType)_\(index)"
            proto.opType = node.opType
            proto.domain = node.domain
            proto.input = node.inputs
            proto.output = node.outputs
            proto.attribute = node.attributes.map(Self.attribute)
            return proto
        }
        model.graph = graph
        try self.init(proto: model, baseDirectory: nil)
    }

    static func valueInfo(_ port: ModelBlueprint.Port) -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = port.type.onnxDataType
        var shape = Onnx_TensorShapeProto()
        shape.dim = port.shape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size { dimension.dimValue = Int64(size) } else { dimension.dimParam = "N" }
            return dimension
        }
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = port.name
        info.type = type
        return info
    }

    static func attribute(_ named: (String, ModelBlueprint.Attribute)) -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        proto.name = named.0
        switch named.1 {
        case .int(let value):
            proto.type = .int
            proto.i = value
        case .float(let value):
            proto.type = .float
            proto.f = value
        case .string(let value):
            proto.type = .string
            proto.s = Data(value.utf8)
        case .ints(let values):
            proto.type = .ints
            proto.ints = values
        case .floats(let values):
            proto.type = .floats
            proto.floats = values
        case .strings(let values):
            proto.type = .strings
            proto.strings = values.map { Data($0.utf8) }
        case .tensor(let tensor):
            proto.type = .tensor
            proto.t = Self.tensorProto(tensor)
        }
        return proto
    }

    static func tensorProto(_ tensor: Tensor) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.dims = tensor.shape.map(Int64.init)
        proto.dataType = tensor.elementType.onnxDataType
        switch tensor.storage {
        case .float(let values): proto.floatData = values
        case .double(let values): proto.doubleData = values
        case .int32(let values): proto.int32Data = values
        case .int64(let values): proto.int64Data = values
        case .bool(let values): proto.int32Data = values.map { $0 ? 1 : 0 }
        case .string(let values): proto.stringData = values.map { Data($0.utf8) }
        }
        return proto
    }
}
