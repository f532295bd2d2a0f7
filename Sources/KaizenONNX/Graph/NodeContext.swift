import Foundation

/// What a kernel factory sees of its node: attributes, opset, constant inputs, and how to describe the node in errors.
struct NodeContext {
    let name: String
    let opType: String
    let domain: OperatorDomain
    let opset: Int
    let inputCount: Int
    let outputCount: Int
    let attributes: [String: Onnx_AttributeProto]
    /// Initializers among the node's inputs, by input position.
    let constantInputs: [Int: Tensor]
    /// Builds a subgraph attribute (Scan's body) into a runnable graph.
    let buildSubgraph: @Sendable (Onnx_GraphProto) throws(ONNXError) -> GraphPlan

    /// The node as error messages name it.
    var label: String {
        let nodeName = name.isEmpty ? "<unnamed>" : name
        return "node '\(nodeName)' (\(opType), domain '\(domain.rawValue)', opset \(opset))"
    }

    /// An error that a model cannot be run because of this node.
    func unsupported(_ message: String) -> ONNXError {
        .notImplemented("\(label): \(message)")
    }

    /// An error that this node's definition is invalid.
    func invalid(_ message: String) -> ONNXError {
        .invalidGraph("\(label): \(message)")
    }

    func has(_ attribute: String) -> Bool { attributes[attribute] != nil }

    private func attribute(
        _ key: String, _ type: Onnx_AttributeProto.AttributeType
    ) throws(ONNXError)
        -> Onnx_AttributeProto?
    {
        guard let attribute = attributes[key] else { return nil }
        // Old exporters leave `type` unset; trust the populated field then.
        if attribute.hasType, attribute.type != type, attribute.type != .undefined {
            throw invalid("attribute '\(key)' must be \(type), got \(attribute.type)")
        }
        return attribute
    }

    func int(_ key: String) throws(ONNXError) -> Int? {
        guard let attribute = try attribute(key, .int) else { return nil }
        return Int(attribute.i)
    }

    func int(_ key: String, default value: Int) throws(ONNXError) -> Int { try int(key) ?? value }

    func float(_ key: String) throws(ONNXError) -> Float? {
        guard let attribute = try attribute(key, .float) else { return nil }
        return attribute.f
    }

    func float(_ key: String, default value: Float) throws(ONNXError) -> Float { try float(key) ?? value }

    func string(_ key: String) throws(ONNXError) -> String? {
        guard let attribute = try attribute(key, .string) else { return nil }
        return try decodeUTF8(attribute.s, key)
    }

    func string(_ key: String, default value: String) throws(ONNXError) -> String { try string(key) ?? value }

    func ints(_ key: String) throws(ONNXError) -> [Int]? {
        guard let attribute = try attribute(key, .ints) else { return nil }
        return attribute.ints.map { Int($0) }
    }

    func int64s(_ key: String) throws(ONNXError) -> [Int64]? {
        guard let attribute = try attribute(key, .ints) else { return nil }
        return attribute.ints
    }

    func floats(_ key: String) throws(ONNXError) -> [Float]? {
        guard let attribute = try attribute(key, .floats) else { return nil }
        return attribute.floats
    }

    func strings(_ key: String) throws(ONNXError) -> [String]? {
        guard let attribute = try attribute(key, .strings) else { return nil }
        var result: [String] = []
        result.reserveCapacity(attribute.strings.count)
        for bytes in attribute.strings { result.append(try decodeUTF8(bytes, key)) }
        return result
    }

    func tensor(_ key: String) throws(ONNXError) -> Tensor? {
        guard let attribute = try attribute(key, .tensor) else { return nil }
        do {
            return try TensorDecoder.decode(attribute.t, baseDirectory: nil)
        } catch {
            throw ONNXError(error.code, "\(label): attribute '\(key)': \(error.message)")
        }
    }

    /// An integer tensor attribute of any integer width, as Int64 values.
    func integerTensor(_ key: String) throws(ONNXError) -> [Int64]? {
        guard let attribute = try attribute(key, .tensor) else { return nil }
        do {
            return try TensorDecoder.integers(attribute.t)
        } catch {
            throw invalid("attribute '\(key)': \(error.message)")
        }
    }

    func graph(_ key: String) throws(ONNXError) -> Onnx_GraphProto? {
        try attribute(key, .graph)?.g
    }

    /// The attribute, which the operator cannot do without.
    func required<T>(_ key: String, _ read: (String) throws(ONNXError) -> T?) throws(ONNXError) -> T {
        guard let value = try read(key) else { throw invalid("required attribute '\(key)' is missing") }
        return value
    }

    /// Refuses attributes whose presence changes the result in ways Kaizen does not implement.
    func refuse(_ keys: String...) throws(ONNXError) {
        for key in keys where attributes[key] != nil {
            throw unsupported("attribute '\(key)' is not supported")
        }
    }

    private func decodeUTF8(_ bytes: Data, _ key: String) throws(ONNXError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw invalid("attribute '\(key)' is not valid UTF-8")
        }
        return string
    }
}
