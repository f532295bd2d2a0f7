public import Foundation
import SwiftProtobuf

/// An ONNX model loaded into a validated, executable graph.
///
/// Loading checks everything that can be checked before data arrives: the file parses, every operator, opset and type
/// is one Kaizen implements, names resolve, and the graph has no cycle. `run` is safe to call concurrently.
public struct ONNXModel: Sendable {
    /// The inputs `run` takes, in the model's order (initializers are not listed).
    public let inputs: [ValueInfo]
    /// The outputs `run` returns, in the model's order.
    public let outputs: [ValueInfo]
    /// The ONNX IR version of the file.
    public let irVersion: Int
    /// The program that wrote the model (for example `skl2onnx`), and its version.
    public let producer: (name: String, version: String)
    /// The opset of each imported domain (`ai.onnx`, `ai.onnx.ml`).
    public let opsets: [String: Int]
    /// The model's `metadata_props`.
    public let metadata: [String: String]

    let plan: GraphPlan

    /// The newest IR version Kaizen reads.
    public static let newestIRVersion = 14

    /// Loads a model file; external tensor data is read from the file's folder.
    public init(contentsOf url: URL) throws(ONNXError) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ONNXError(.fileUnavailable, "cannot read model file '\(url.path)': \(error.localizedDescription)")
        }
        try self.init(serializedData: data, baseDirectory: url.deletingLastPathComponent())
    }

    /// Loads a model from its serialized bytes; external tensor data, if any, is read from `baseDirectory`.
    public init(serializedData data: Data, baseDirectory: URL? = nil) throws(ONNXError) {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXError(.invalidProtobuf, "the file is not a valid ONNX model (protobuf parsing failed: \(error))")
        }
        try self.init(proto: proto, baseDirectory: baseDirectory)
    }

    init(proto: Onnx_ModelProto, baseDirectory: URL?) throws(ONNXError) {
        guard proto.hasGraph else { throw .invalidGraph("the model has no graph") }
        guard proto.irVersion >= 1 else { throw ONNXError(.invalidProtobuf, "the model has no IR version") }
        guard proto.irVersion <= Self.newestIRVersion else {
            throw .notImplemented(
                "IR version \(proto.irVersion) is newer than Kaizen supports (\(Self.newestIRVersion))")
        }
        if !proto.functions.isEmpty || proto.graph.node.contains(where: { !$0.overload.isEmpty }) {
            throw .notImplemented("model-local functions are not supported")
        }
        var opsets: [OperatorDomain: Int] = [:]
        var declared: [String: Int] = [:]
        for entry in proto.opsetImport {
            let version = Int(entry.version)
            declared[entry.domain.isEmpty ? "ai.onnx" : entry.domain] = version
            guard let domain = OperatorDomain(name: entry.domain) else { continue }
            guard version >= 1 else {
                throw .invalidGraph("opset \(version) of domain '\(domain.rawValue)' is invalid")
            }
            guard version <= domain.newestOpset else {
                throw .notImplemented(
                    "opset \(version) of domain '\(domain.rawValue)' is newer than Kaizen supports (\(domain.newestOpset))"
                )
            }
            // Converters sometimes import a domain twice; the newer version wins.
            opsets[domain] = max(opsets[domain] ?? 0, version)
        }
        if proto.opsetImport.isEmpty { opsets[.onnx] = 1 }
        let builder = GraphBuilder(opsets: opsets, baseDirectory: baseDirectory, outerConstants: [:])
        let plan = try builder.build(proto.graph)
        self.plan = plan
        self.inputs = plan.inputs.map(\.info)
        self.outputs = plan.outputs.map(\.info)
        self.irVersion = Int(proto.irVersion)
        self.producer = (proto.producerName, proto.producerVersion)
        self.opsets = declared
        self.metadata = Dictionary(
            proto.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Runs the model on named inputs and returns every output by name.
    ///
    /// Each input must be given, with the declared element type, rank and fixed dimensions; extra names are refused.
    public func run(_ feeds: [String: Value]) throws(ONNXError) -> [String: Value] {
        let values = try run(ordered: feeds)
        var result: [String: Value] = [:]
        for (index, output) in outputs.enumerated() { result[output.name] = values[index] }
        return result
    }

    /// Runs the model on named tensors and returns every output by name.
    public func run(_ feeds: [String: Tensor]) throws(ONNXError) -> [String: Value] {
        try run(feeds.mapValues { Value.tensor($0) })
    }

    /// Runs the model and returns the outputs in declaration order.
    public func run(ordered feeds: [String: Value]) throws(ONNXError) -> [Value] {
        for name in feeds.keys where !inputs.contains(where: { $0.name == name }) {
            let expected = inputs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw .invalidArgument("'\(name)' is not an input of the model (inputs: \(expected))")
        }
        var ordered: [Value] = []
        ordered.reserveCapacity(inputs.count)
        for input in inputs {
            guard let value = feeds[input.name] else { throw .invalidArgument("input '\(input.name)' is missing") }
            try Self.check(value, against: input)
            ordered.append(value)
        }
        return try IntraOpThreads.counted { () throws(ONNXError) in try plan.run(ordered) }
    }

    static func check(_ value: Value, against info: ValueInfo) throws(ONNXError) {
        switch (info.type, value) {
        case (.tensor(let type, let dims), .tensor(let tensor)):
            guard tensor.elementType == type else {
                throw .invalidArgument(
                    "input '\(info.name)' must be tensor(\(type)), got tensor(\(tensor.elementType))")
            }
            guard let dims else { return }
            guard dims.count == tensor.rank else {
                throw .invalidArgument(
                    "input '\(info.name)' must have rank \(dims.count) (\(info.type)), got shape \(tensor.shape)")
            }
            for (axis, dim) in dims.enumerated() {
                if let size = dim.size, size != tensor.shape[axis] {
                    throw .invalidArgument(
                        "input '\(info.name)' must have size \(size) on axis \(axis) (\(info.type)), got shape \(tensor.shape)"
                    )
                }
            }
        case (.sequenceOfMaps, .mapSequence):
            return
        default:
            throw .invalidArgument("input '\(info.name)' must be \(info.type), got \(value.valueType)")
        }
    }
}
