/// An error that reaches users as MLflow's error JSON: an error code, a message and an HTTP status.
///
/// Every domain module throws this type for failures that a client should see. The HTTP layer renders
/// it as `{"error_code": ..., "message": ...}` with the status that MLflow maps the code to.
public struct KaizenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An MLflow error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's wire name, for example `RESOURCE_DOES_NOT_EXIST`.
        public let name: String
        /// The HTTP status MLflow answers this code with.
        public let httpStatus: Int

        private init(_ name: String, _ httpStatus: Int) {
            self.name = name
            self.httpStatus = httpStatus
        }

        public var description: String { name }

        /// A code with a status MLflow does not pair it with, for transport-level failures.
        public static func custom(_ name: String, _ httpStatus: Int) -> Code {
            Code(name, httpStatus)
        }

        public static let invalidParameterValue = Code("INVALID_PARAMETER_VALUE", 400)
        public static let resourceAlreadyExists = Code("RESOURCE_ALREADY_EXISTS", 400)
        public static let badRequest = Code("BAD_REQUEST", 400)
        public static let resourceDoesNotExist = Code("RESOURCE_DOES_NOT_EXIST", 404)
        public static let endpointNotFound = Code("ENDPOINT_NOT_FOUND", 404)
        public static let permissionDenied = Code("PERMISSION_DENIED", 403)
        public static let invalidState = Code("INVALID_STATE", 500)
        public static let internalError = Code("INTERNAL_ERROR", 500)
        public static let notImplemented = Code("NOT_IMPLEMENTED", 501)
        public static let requestLimitExceeded = Code("REQUEST_LIMIT_EXCEEDED", 429)
        public static let temporarilyUnavailable = Code("TEMPORARILY_UNAVAILABLE", 503)

        /// MLflow's `error_class` for the code (added in MLflow 3).
        public var errorClass: String {
            switch name {
            case "RESOURCE_DOES_NOT_EXIST": "RESOURCE_NOT_FOUND"
            default: name
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message for humans; MLflow's wording where clients or tests match it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    /// `INVALID_PARAMETER_VALUE` with a message.
    public static func invalidParameter(_ message: String) -> KaizenError {
        KaizenError(.invalidParameterValue, message)
    }

    /// `RESOURCE_DOES_NOT_EXIST` with a message.
    public static func notFound(_ message: String) -> KaizenError {
        KaizenError(.resourceDoesNotExist, message)
    }

    /// MLflow's message for a required request field that is absent or empty.
    public static func missingParameter(_ name: String) -> KaizenError {
        .invalidParameter(
            "Missing value for required parameter '\(name)'. "
                + "See the API docs for more information about request parameters."
        )
    }

    /// MLflow's message for a request field whose value has the wrong type or range.
    public static func invalidValue(_ value: String, for name: String, hint: String? = nil) -> KaizenError {
        var message = "Invalid value \(value) for parameter '\(name)' supplied"
        if let hint {
            message += ":  Hint: \(hint)"
        }
        message += ". See the API docs for more information about request parameters."
        return .invalidParameter(message)
    }
}
