public import KaizenCore

/// A request S3 refused or could not answer: S3's error code (`NoSuchKey`, `AccessDenied`, ...) with its message
/// and the HTTP status, or a transport failure (code `RequestFailed`, status 0).
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// S3's error code, from the `<Code>` of its error document, or a name for the HTTP status when it had none.
    public var code: String
    /// S3's message, or what went wrong.
    public var message: String
    /// The HTTP status; 0 when no answer came.
    public var status: Int
    /// The bucket and key or operation, for logs.
    public var resource: String

    public init(code: String, message: String, status: Int, resource: String) {
        self.code = code
        self.message = message
        self.status = status
        self.resource = resource
    }

    public var description: String { "S3 \(code) (\(status)) for \(resource): \(message)" }

    /// Whether S3 says the object or the upload does not exist. A missing bucket is not among them: that is the
    /// server's configuration, not a missing artifact.
    public var isNotFound: Bool {
        ["NoSuchKey", "NoSuchUpload", "NotFound"].contains(code)
    }

    /// The error as Kaizen reports it: a missing object or upload is `RESOURCE_DOES_NOT_EXIST`, a request S3
    /// found malformed (a bad part list, say) `INVALID_PARAMETER_VALUE`, and anything else, which is the server's
    /// configuration (a missing bucket, refused credentials) or S3's health rather than the client's fault,
    /// `INTERNAL_ERROR` or `TEMPORARILY_UNAVAILABLE`.
    public var kaizenError: KaizenError {
        if isNotFound { return KaizenError.notFound("S3 \(code): \(message)") }
        switch code {
        case "InvalidPart", "InvalidPartOrder", "EntityTooSmall", "EntityTooLarge", "InvalidArgument", "MalformedXML",
            "InvalidRange", "KeyTooLongError":
            return KaizenError.invalidParameter("S3 \(code): \(message)")
        case "SlowDown", "ServiceUnavailable", "RequestTimeout", "RequestFailed":
            return KaizenError(.temporarilyUnavailable, "S3 \(code): \(message)")
        default:
            return KaizenError(.internalError, "S3 \(code) (HTTP \(status)) for \(resource): \(message)")
        }
    }

    /// The error an S3 answer carries: from its XML error document when it has one, else from the status.
    static func from(status: Int, body: [UInt8], resource: String) -> S3Error {
        if let document = XMLElement.parse(body), document.name == "Error" {
            return S3Error(
                code: document.text(of: "Code") ?? "HTTP\(status)", message: document.text(of: "Message") ?? "",
                status: status, resource: resource)
        }
        let code =
            switch status {
            case 404: "NotFound"
            case 403: "AccessDenied"
            case 412: "PreconditionFailed"
            case 416: "InvalidRange"
            case 503: "SlowDown"
            default: "HTTP\(status)"
            }
        return S3Error(
            code: code, message: String(decoding: body.prefix(500), as: UTF8.self), status: status, resource: resource)
    }
}
