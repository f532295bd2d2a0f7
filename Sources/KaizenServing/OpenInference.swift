public import KaizenCore
public import KaizenONNX

/// The Open Inference Protocol v2 (KServe, Triton) in JSON: typed tensors in, typed tensors out.
public enum OpenInference {
    /// A decoded `/infer` request.
    public struct Request: Sendable {
        public var id: String?
        public var feeds: [String: Tensor]
        public var rows: Int
        /// The outputs asked for, or `nil` for all.
        public var outputs: [String]?
        /// The outputs to send as binary data (the binary tensor data extension).
        public var binaryOutputs: Set<String> = []
    }

    static let datatypes: [ElementType: String] = [
        .float: "FP32", .double: "FP64", .int32: "INT32", .int64: "INT64", .bool: "BOOL", .string: "BYTES",
    ]

    /// The protocol's datatype name for an element type.
    public static func datatype(of type: ElementType) -> String { datatypes[type] ?? "BYTES" }

    /// Decodes an `/infer` body for `model`: every model input must be given, with a compatible datatype and as
    /// many elements as its shape holds. Numbers convert between numeric datatypes; BYTES carry strings.
    public static func request(
        _ body: JSONValue, binary: [UInt8] = [], for model: ScoringModel
    ) throws(ServingError)
        -> Request
    {
        guard case .object = body else { throw ServingError.invalidInference("The request body must be a JSON object") }
        guard let inputs = body["inputs"]?.arrayValue else {
            throw ServingError.invalidInference("The request must have an 'inputs' list")
        }
        var given: [String: JSONValue] = [:]
        for input in inputs {
            guard let name = input["name"]?.stringValue else {
                throw ServingError.invalidInference("Every input needs a 'name'")
            }
            given[name] = input
        }
        let known = Set(model.inputs.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServingError.invalidInference(
                "Unknown input '\(unknown)'; the model takes \(model.inputs.map(\.name).joined(separator: ", "))"
            )
        }
        let slices = try binarySlices(inputs, binary)
        var feeds: [String: Tensor] = [:]
        for declared in model.inputs {
            guard let input = given[declared.name] else {
                throw ServingError.invalidInference(
                    "Missing input '\(declared.name)'; the model takes \(model.inputs.map(\.name).joined(separator: ", "))"
                )
            }
            feeds[declared.name] = try tensor(input, binary: slices[declared.name], for: declared)
        }
        var outputs: [String]?
        var binaryOutputs: Set<String> = []
        if body["parameters"]?["binary_data_output"] == .bool(true) {
            binaryOutputs = Set(model.outputs.map(\.name))
        }
        if let requested = body["outputs"]?.arrayValue {
            let known = Set(model.outputs.map(\.name))
            outputs = try requested.map { output throws(ServingError) in
                guard let name = output["name"]?.stringValue, known.contains(name) else {
                    throw ServingError.invalidInference(
                        "Unknown output \(output["name"]?.messageText ?? "without a name"); the model has "
                            + model.outputs.map(\.name).joined(separator: ", "))
                }
                if let binary = output["parameters"]?["binary_data"] {
                    if binary == .bool(true) { binaryOutputs.insert(name) } else { binaryOutputs.remove(name) }
                }
                return name
            }
        }
        let id = body["id"].map { $0.stringValue ?? $0.jsonText }
        return Request(
            id: id, feeds: feeds, rows: feeds.values.first?.shape.first ?? 1, outputs: outputs,
            binaryOutputs: binaryOutputs)
    }

    static func tensor(
        _ input: JSONValue, binary: ArraySlice<UInt8>?, for declared: ValueInfo
    ) throws(ServingError)
        -> Tensor
    {
        let name = input["name"]?.stringValue ?? declared.name
        guard let datatype = input["datatype"]?.stringValue else {
            throw ServingError.invalidInference("Input '\(name)' needs a 'datatype'")
        }
        guard let shapeValues = input["shape"]?.arrayValue else {
            throw ServingError.invalidInference("Input '\(name)' needs a 'shape'")
        }
        var shape: [Int] = []
        for dimension in shapeValues {
            guard let size = dimension.int64Value, size >= 0, size <= Int64(Int32.max) else {
                throw ServingError.invalidInference(
                    "Input '\(name)' has an invalid shape \(JSONValue.array(shapeValues).jsonText)")
            }
            shape.append(Int(size))
        }
        guard case .tensor(let type, _) = declared.type else {
            throw ServingError.invalidInference("Input '\(declared.name)' is not a tensor")
        }
        let numeric: Set<String> = [
            "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
        ]
        let compatible =
            switch type {
            case .float, .double, .int32, .int64: numeric.contains(datatype)
            case .bool: datatype == "BOOL"
            case .string: datatype == "BYTES"
            }
        guard compatible else {
            throw ServingError.invalidInference(
                "Input '\(name)' has datatype \(datatype); the model takes \(Self.datatype(of: type))")
        }
        let leaves: [JSONValue]
        if let binary {
            leaves = try Self.leaves(binary: binary, datatype: datatype, name: name)
        } else {
            guard let data = input["data"] else { throw ServingError.invalidInference("Input '\(name)' needs 'data'") }
            do { leaves = try NestedList.leaves(data) } catch {
                throw ServingError.invalidInference("Input '\(name)': \(error.message)")
            }
        }
        let expected = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard leaves.count == expected else {
            throw ServingError.invalidInference(
                "Input '\(name)' has shape \(shape) (\(expected) elements) but \(leaves.count) data elements")
        }
        do {
            // BYTES carry strings only.
            return try CellConversion.tensor(
                leaves, shape: shape, type: type, column: name, declared: type == .string ? .string : nil)
        } catch {
            throw ServingError.invalidInference("Input '\(name)': \(error.message)")
        }
    }

    /// An `/infer` answer: the JSON header and, when outputs were asked for as binary data, their bytes (sent after
    /// the header, with its length in `Inference-Header-Content-Length`).
    public struct Response: Sendable {
        public var header: JSONValue
        public var binary: [UInt8]
        /// The model that answered.
        public var model: ScoringModel
        /// Rows scored.
        public var rows: Int
        /// The request's input tensors in the model's input order, and every output the model computed: what the
        /// inference log and the replica's prediction sketch take.
        public var feeds: [(String, Tensor)]
        public var prediction: Prediction
    }

    /// Splits an `/infer` body into its JSON header and binary tensor data: with the binary data extension the header
    /// is the first `headerLength` bytes (the `Inference-Header-Content-Length` field) and the tensors' bytes follow.
    public static func header(
        of body: [UInt8], headerLength field: String?
    ) throws(ServingError) -> (header: JSONValue, binary: [UInt8]) {
        var json = body[...]
        var binary: [UInt8] = []
        if let field {
            guard let length = Int(field), length >= 0, length <= body.count else {
                throw ServingError.invalidInference(
                    "Inference-Header-Content-Length \(field) does not fit the body of \(body.count) bytes")
            }
            json = body[..<length]
            binary = Array(body[length...])
        }
        do { return (try JSONValue(parsing: json), binary) } catch {
            throw ServingError.invalidInference("The request header is not valid JSON: \(error)")
        }
    }

    /// The `/infer` response for `outputs` of `request`, scored by `model`.
    static func response(_ outputs: [String: Value], request: Request, model: ScoringModel) -> Response {
        let names = request.outputs ?? model.outputs.map(\.name)
        var fields: [(String, JSONValue)] = [("model_name", .string(model.name))]
        if let version = model.version { fields.append(("model_version", .string(version))) }
        if let id = request.id { fields.append(("id", .string(id))) }
        var binary: [UInt8] = []
        var described: [JSONValue] = []
        for name in names {
            guard let value = outputs[name] else { continue }
            guard request.binaryOutputs.contains(name), case .object(var output) = output(name, value) else {
                described.append(output(name, value))
                continue
            }
            let tensor: Tensor? =
                switch value {
                case .tensor(let plain): plain
                case .mapSequence(let maps): try? Tensor(shape: [maps.count, maps.keys.count], floats: maps.values)
                }
            guard let tensor else {
                described.append(.object(output))
                continue
            }
            let bytes = Self.binary(tensor)
            binary.append(contentsOf: bytes)
            output.removeAll { $0.0 == "data" }
            var parameters = output.first { $0.0 == "parameters" }?.1.objectFields ?? []
            parameters.append(("binary_data_size", .integer(Int64(bytes.count))))
            output.removeAll { $0.0 == "parameters" }
            output.append(("parameters", .object(parameters)))
            described.append(.object(output))
        }
        fields.append(("outputs", .array(described)))
        let feeds = model.inputs.compactMap { info in request.feeds[info.name].map { (info.name, $0) } }
        return Response(
            header: .object(fields), binary: binary, model: model, rows: request.rows, feeds: feeds,
            prediction: Prediction(model: model, rows: request.rows, style: .columns, outputs: outputs))
    }

    static func output(_ name: String, _ value: Value) -> JSONValue {
        switch value {
        case .tensor(let tensor):
            let data: [JSONValue]
            switch tensor.storage {
            case .float(let values): data = values.map { .double(Double($0)) }
            case .double(let values): data = values.map { .double($0) }
            case .int32(let values): data = values.map { .integer(Int64($0)) }
            case .int64(let values): data = values.map { .integer($0) }
            case .bool(let values): data = values.map { .bool($0) }
            case .string(let values): data = values.map { .string($0) }
            }
            return .object([
                ("name", .string(name)), ("datatype", .string(datatype(of: tensor.elementType))),
                ("shape", .array(tensor.shape.map { .integer(Int64($0)) })), ("data", .array(data)),
            ])
        case .mapSequence(let maps):
            // A map per row becomes a [rows, keys] FP32 tensor; the keys travel as a parameter.
            let keys: [String] =
                switch maps.keys {
                case .int64(let keys): keys.map(String.init)
                case .string(let keys): keys
                }
            return .object([
                ("name", .string(name)), ("datatype", "FP32"),
                ("shape", .array([.integer(Int64(maps.count)), .integer(Int64(keys.count))])),
                ("parameters", .object([("keys", .string(JSONValue.array(keys.map { .string($0) }).jsonText))])),
                ("data", .array(maps.values.map { .double(Double($0)) })),
            ])
        }
    }

    /// The model metadata response.
    public static func metadata(of model: ScoringModel) -> JSONValue {
        func tensors(_ infos: [ValueInfo]) -> JSONValue {
            .array(
                infos.map { info in
                    let (datatype, shape): (String, [JSONValue]) =
                        switch info.type {
                        case .tensor(let type, let dimensions):
                            (Self.datatype(of: type), (dimensions ?? []).map { .integer(Int64($0.size ?? -1)) })
                        case .sequenceOfMaps: ("FP32", [-1, -1])
                        }
                    return .object([
                        ("name", .string(info.name)), ("datatype", .string(datatype)), ("shape", .array(shape)),
                    ])
                })
        }
        var fields: [(String, JSONValue)] = [("name", .string(model.name))]
        if let version = model.version { fields.append(("versions", [.string(version)])) }
        fields.append(("platform", "onnx_onnxv1"))
        fields.append(("inputs", tensors(model.inputs)))
        fields.append(("outputs", tensors(model.outputs)))
        return .object(fields)
    }
}

extension NestedList {
    /// The leaves of a nested list in row-major order, flattened whatever the nesting (the protocol allows both).
    static func leaves(_ value: JSONValue) throws(ServingError) -> [JSONValue] {
        guard case .array = value else { return [value] }
        return try NestedList(value, name: "data").leaves
    }
}
