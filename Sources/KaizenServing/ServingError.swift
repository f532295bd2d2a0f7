public import KaizenCore

/// The one error type of serving: an HTTP status, an MLflow error code and a message, plus the `sqlstate` and
/// `error_class` that MLflow 3 adds to scoring errors. It renders as either protocol's error body: MLflow's scoring
/// protocol (`mlflowBody`) and the Open Inference Protocol (`inferenceBody`).
public struct ServingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// MLflow's `error_code`, for example `BAD_REQUEST`.
    public var code: String
    public var message: String
    public var sqlstate: String?
    public var errorClass: String?

    public init(status: Int, code: String, message: String, sqlstate: String? = nil, errorClass: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.sqlstate = sqlstate
        self.errorClass = errorClass
    }

    public var description: String { "\(code): \(message)" }

    /// MLflow's error JSON: `{"error_code", "message", "sqlstate", "error_class"}`. (A 415 is sent as plain text,
    /// as MLflow sends it.)
    public var mlflowBody: JSONValue {
        var fields: [(String, JSONValue)] = [("error_code", .string(code)), ("message", .string(message))]
        if let sqlstate { fields.append(("sqlstate", .string(sqlstate))) }
        if let errorClass { fields.append(("error_class", .string(errorClass))) }
        return .object(fields)
    }

    /// The Open Inference Protocol's error JSON: `{"error": "..."}`.
    public var inferenceBody: JSONValue { .object([("error", .string(message))]) }

    /// 400 `BAD_REQUEST`: the request cannot be read (MLflow's `_handle_serving_error` for input errors).
    public static func badRequest(_ message: String) -> ServingError {
        ServingError(
            status: 400, code: "BAD_REQUEST", message: message, sqlstate: "KAM00", errorClass: "INVALID_PARAMETER_VALUE"
        )
    }

    /// 400 `INVALID_PARAMETER_VALUE`: the input does not match the model's signature.
    public static func schema(_ message: String) -> ServingError {
        ServingError(
            status: 400, code: "INVALID_PARAMETER_VALUE", message: message, sqlstate: "KAM01",
            errorClass: "SCHEMA_ENFORCEMENT_FAILED")
    }

    /// The schema error for inputs the request lacks, in MLflow's words ("Model is missing inputs ['x']."), checked
    /// against `what` ("the model's signature" or "the model's inputs"); `detail` follows the list.
    static func missingInputs(_ names: [String], of what: String, detail: String = "") -> ServingError {
        schema(
            "Failed to enforce schema of data with \(what). Error: Model is missing inputs "
                + "\(ScoringModel.quotedList(names)).\(detail)")
    }

    /// 400 `BAD_REQUEST`: the engine refused the input while evaluating the model.
    public static func evaluation(_ detail: String) -> ServingError {
        badRequest(
            "Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe "
                + "is compatible with the model for inference. Error: \(detail)")
    }

    /// 415: a content type or parameter the scoring protocol does not accept.
    public static func unsupportedMediaType(_ message: String) -> ServingError {
        ServingError(status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: message)
    }

    /// 400: an Open Inference Protocol request that does not fit the protocol or the model.
    public static func invalidInference(_ message: String) -> ServingError {
        ServingError(status: 400, code: "INVALID_PARAMETER_VALUE", message: message)
    }

    /// 503: the server is up but its model has not finished loading.
    public static func notReady(_ message: String) -> ServingError {
        ServingError(status: 503, code: "TEMPORARILY_UNAVAILABLE", message: message)
    }

    /// 404: a request for a model or version this server does not serve.
    public static func notServed(_ message: String) -> ServingError {
        ServingError(status: 404, code: "RESOURCE_DOES_NOT_EXIST", message: message)
    }

    /// 413: a request body over the server's limit (named when the caller knows it).
    public static func tooLarge(limit: Int? = nil) -> ServingError {
        ServingError(
            status: 413, code: "INVALID_PARAMETER_VALUE",
            message: limit.map { "Request body is larger than the server's limit of \($0) bytes" }
                ?? "Request body is too large")
    }

    /// A model folder or file that cannot be served.
    public static func invalidModel(_ message: String) -> ServingError {
        ServingError(status: 500, code: "INVALID_STATE", message: message)
    }
}
