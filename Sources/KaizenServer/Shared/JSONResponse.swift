import Hummingbird
import KaizenCore

/// Builds JSON responses from `JSONValue`s.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        make(bytes: value.serialized(), status: status)
    }

    /// A response of JSON text already written.
    static func make(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{}`: what MLflow answers to writes.
    static var empty: Response { make(.object([])) }
}

extension JSONValue {
    /// An object of the given fields, leaving out those whose value is nil.
    static func fields(_ fields: (String, JSONValue?)...) -> JSONValue {
        .object(fields.compactMap { key, value in value.map { (key, $0) } })
    }

    /// A repeated field as protobuf JSON writes it: absent when empty.
    static func repeated<T>(_ items: [T], _ transform: (T) -> JSONValue) -> JSONValue? {
        items.isEmpty ? nil : .array(items.map(transform))
    }
}
