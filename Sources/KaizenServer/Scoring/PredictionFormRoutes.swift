import Hummingbird
import KaizenCore
import KaizenONNX
import KaizenServing

/// The model server's prediction form: the page at `/` (and its files under `/static/`), and `GET /kaizen/model`,
/// which tells the page what the model takes. The page posts to `/invocations` like any other client.
enum PredictionFormRoutes {
    static func register(on router: Router<ServingContext>, slot: ModelSlot) {
        // The form makes no writes that need the UI's token: `/invocations` stays open to every client, as in MLflow.
        UIAssets.register(on: router, title: "Kaizen model server", assets: UIAssets.serving, token: "")
        router.get("/kaizen/model") { _, _ in
            guard let model = slot.model else {
                return ScoringResponses.error(.notReady("The model is still loading; try again shortly"))
            }
            return JSONResponse.make(description(of: model))
        }
    }

    /// What a caller needs to build a request: the model's name and version, its inputs in the JSON form of an
    /// MLflow signature (from the signature, or from the graph's inputs as tensors when there is none), the
    /// signature's params and the request MLflow saved as the model's serving example.
    static func description(of model: ScoringModel) -> JSONValue {
        let inputs: [JSONValue]
        switch model.signature {
        case .columns(let columns): inputs = columns.map(json)
        case .tensors(let tensors): inputs = tensors.map { tensor(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
        case nil:
            // A graph input of unknown rank gets no shape.
            inputs = model.inputs.compactMap { input in
                guard case .tensor(let type, let shape) = input.type else { return nil }
                return tensor(name: input.name, dtype: numpyName(type), shape: shape?.map { $0.size ?? -1 })
            }
        }
        return .fields(
            ("name", .string(model.name)), ("version", model.version.map { .string($0) }),
            ("inputs", .array(inputs)), ("from_signature", .bool(model.signature != nil)),
            ("params", .array(model.params.map(json))), ("serving_input_example", model.servingExample))
    }

    static func json(_ column: ColumnSpec) -> JSONValue {
        .fields(
            ("type", .string(column.type.rawValue)), ("name", column.name.map { .string($0) }),
            ("required", .bool(column.required)))
    }

    static func tensor(name: String?, dtype: String, shape: [Int]?) -> JSONValue {
        .fields(
            ("type", .string("tensor")),
            ("tensor-spec", .fields(("dtype", .string(dtype)), ("shape", shape.map(integers)))),
            ("name", name.map { .string($0) }))
    }

    static func json(_ param: ParamSpec) -> JSONValue {
        .object([
            ("name", .string(param.name)), ("type", .string(param.type)), ("default", param.defaultValue),
            ("shape", param.shape.map(integers) ?? .null),
        ])
    }

    static func integers(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }

    /// NumPy's name for an element type, as tensor signatures write it.
    static func numpyName(_ type: ElementType) -> String {
        switch type {
        case .float: "float32"
        case .double: "float64"
        case .int32: "int32"
        case .int64: "int64"
        case .bool: "bool"
        case .string: "str"
        }
    }
}
