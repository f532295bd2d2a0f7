import Foundation
import HTTPTypes
import Hummingbird
import KaizenCore

/// The fields of an MLflow request, from a JSON body or a GET query string, with typed accessors that
/// answer bad input with MLflow's messages.
///
/// Fields are looked up by their snake_case name and by the camelCase spelling protobuf JSON also allows;
/// a request that spells one field both ways is refused.
struct RequestMessage: Sendable {
    let fields: JSONValue
    /// Where this message sits in the request (`metrics[0].`), so errors name the exact field.
    let path: String
    /// Whether the fields came from a query string, where every value is a string and a repeated field
    /// may appear once.
    let fromQuery: Bool
    /// Who sent the request (`X-Kaizen-User`), for the registry's audit trail.
    var actor: String = "anonymous"

    init(fields: JSONValue, path: String = "", fromQuery: Bool = false) {
        self.fields = fields
        self.path = path
        self.fromQuery = fromQuery
    }

    /// The header that names the user behind a request.
    static let actorHeader = HTTPField.Name("X-Kaizen-User")!

    /// Decodes a request: the query string for GET (and DELETE without a body), the JSON body otherwise;
    /// notes who sent it.
    static func decode(_ request: Request, context: some RequestContext, limit: Int) async throws -> RequestMessage {
        var message = try await decodeFields(request, limit: limit)
        if let user = request.headers[actorHeader], !user.isEmpty { message.actor = String(user.prefix(200)) }
        return message
    }

    static func decodeFields(_ request: Request, limit: Int) async throws -> RequestMessage {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        if request.method == .get || (buffer.readableBytes == 0 && request.method != .post) {
            return RequestMessage(fields: QueryString.parse(request.uri.query ?? ""), fromQuery: true)
        }
        guard let contentType = request.headers.first(where: { $0.name == .contentType })?.value else {
            throw KaizenError.invalidParameter("Bad Request. Content-Type header is missing.")
        }
        guard isJSON(contentType) else {
            throw KaizenError.invalidParameter("Bad Request. Content-Type must be one of ['application/json'].")
        }
        if buffer.readableBytes == 0 { return RequestMessage(fields: .object([])) }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: buffer.readableBytesView)
        } catch {
            throw KaizenError(.badRequest, "Malformed JSON request body: \(error)")
        }
        switch value {
        case .object: return RequestMessage(fields: value)
        case .null: return RequestMessage(fields: .object([]))
        default: throw KaizenError(.badRequest, "Malformed request: the body must be a JSON object.")
        }
    }

    /// Whether a Content-Type names `application/json` (any case, blanks around it, parameters after `;`), read
    /// byte by byte: through Foundation's trimming and a split, it cost a few percent of a small request's CPU.
    static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        var bytes = contentType.utf8[...]
        if let end = bytes.firstIndex(of: UInt8(ascii: ";")) { bytes = bytes[..<end] }
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = bytes.first, isBlank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, isBlank(last) { bytes = bytes.dropLast() }
        guard bytes.count == expected.count else { return false }
        return zip(bytes, expected).allSatisfy { byte, wanted in
            let lower = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            return lower == wanted
        }
    }

    static func camelCase(_ name: String) -> String {
        var result = ""
        var upper = false
        for char in name {
            if char == "_" {
                upper = true
            } else {
                result.append(upper ? Character(char.uppercased()) : char)
                upper = false
            }
        }
        return result
    }

    /// The raw value of a field; null counts as absent.
    func value(_ name: String) throws(KaizenError) -> JSONValue? {
        let snake = fields[name]
        let camelName = Self.camelCase(name)
        let camel = camelName == name ? nil : fields[camelName]
        if snake != nil, camel != nil {
            throw .invalidParameter("Request spells the field '\(name)' both as '\(name)' and '\(camelName)'.")
        }
        let found = snake ?? camel
        switch found {
        case .null: return nil
        case .string(let string) where Self.holdsNUL(string):
            throw Self.nulRefused(path + (snake == nil ? camelName : name))
        default: return found
        }
    }

    /// Whether `string` holds U+0000. No store keeps it: SQLite's driver ends the text there (a value would be cut
    /// short without a word) and PostgreSQL's text cannot hold it, so a request that carries one is refused whole.
    static func holdsNUL(_ string: String) -> Bool {
        string.utf8.contains(0)
    }

    /// The whole message, for the routes that read it as one JSON document rather than field by field; refused when any
    /// key or string in it holds U+0000, as `value(_:)` refuses a field.
    func checkedFields() throws(KaizenError) -> JSONValue {
        func check(_ value: JSONValue, at path: String) throws(KaizenError) {
            switch value {
            case .string(let string) where Self.holdsNUL(string): throw Self.nulRefused(path)
            case .array(let items):
                for (index, item) in items.enumerated() { try check(item, at: "\(path)[\(index)]") }
            case .object(let members):
                for (key, member) in members {
                    let field = path.isEmpty ? key : "\(path).\(key)"
                    if Self.holdsNUL(key) { throw Self.nulRefused(field) }
                    try check(member, at: field)
                }
            default: break
            }
        }
        try check(fields, at: path)
        return fields
    }

    static func nulRefused(_ field: String) -> KaizenError {
        .invalidParameter("Invalid value for parameter '\(field)': it contains the NUL character (U+0000).")
    }

    func string(_ name: String) throws(KaizenError) -> String? {
        guard let value = try value(name) else { return nil }
        guard case .string(let string) = value else {
            throw .invalidValue(
                value.messageText, for: path + name, hint: "Value was of type '\(value.pythonTypeName)'")
        }
        return string
    }

    func requireString(_ name: String) throws(KaizenError) -> String {
        guard let string = try string(name), !string.isEmpty else { throw .missingParameter(path + name) }
        return string
    }

    /// A string field that may also arrive as a number (ids are strings; some clients send numbers).
    func identifier(_ name: String) throws(KaizenError) -> String? {
        switch try value(name) {
        case .integer(let number): String(number)
        case .string(let string): string
        case nil: nil
        case let other?:
            throw .invalidValue(
                other.messageText, for: path + name, hint: "Value was of type '\(other.pythonTypeName)'")
        }
    }

    func requireIdentifier(_ name: String) throws(KaizenError) -> String {
        guard let id = try identifier(name), !id.isEmpty else { throw .missingParameter(path + name) }
        return id
    }

    func int64(_ name: String) throws(KaizenError) -> Int64? {
        guard let value = try value(name) else { return nil }
        if let number = value.int64Value { return number }
        if case .string(let text) = value, let number = Int64(text.trimmingCharacters(in: .whitespaces)) {
            return number
        }
        throw .invalidValue(value.stringValue ?? value.messageText, for: path + name)
    }

    func requireInt64(_ name: String) throws(KaizenError) -> Int64 {
        guard let number = try int64(name) else { throw .missingParameter(path + name) }
        return number
    }

    func double(_ name: String) throws(KaizenError) -> Double? {
        guard let value = try value(name) else { return nil }
        if let number = value.doubleValue { return number }
        if case .string(let text) = value {
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default: if let number = Double(text) { return number }
            }
        }
        throw .invalidValue(value.messageText, for: path + name, hint: "Value was of type '\(value.pythonTypeName)'")
    }

    func bool(_ name: String) throws(KaizenError) -> Bool? {
        switch try value(name) {
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        case nil: return nil
        case let other?: throw .invalidValue(other.messageText, for: path + name)
        }
    }

    /// A repeated string field; a single string (one query parameter) is a list of one.
    func strings(_ name: String) throws(KaizenError) -> [String] {
        switch try value(name) {
        case nil: return []
        case .string(let string) where fromQuery: return [string]
        case .array(let items):
            return try items.map { item throws(KaizenError) in
                switch item {
                case .string(let string) where Self.holdsNUL(string): throw Self.nulRefused(path + name)
                case .string(let string): return string
                case .integer(let number): return String(number)
                default: throw .invalidValue(item.messageText, for: path + name)
                }
            }
        case let other?:
            throw .invalidValue(
                other.messageText, for: path + name, hint: "Value was of type '\(other.pythonTypeName)'")
        }
    }

    /// A repeated message field, each element as a message of its own.
    func messages(_ name: String) throws(KaizenError) -> [RequestMessage] {
        switch try value(name) {
        case nil: return []
        case .array(let items):
            return try items.enumerated().map { index, item throws(KaizenError) in
                guard case .object = item else {
                    throw .invalidValue(
                        item.messageText, for: path + name, hint: "Value was of type '\(item.pythonTypeName)'")
                }
                return RequestMessage(fields: item, path: "\(path)\(name)[\(index)].")
            }
        case let other?:
            throw .invalidValue(
                other.messageText, for: path + name, hint: "Value was of type '\(other.pythonTypeName)'")
        }
    }

    func message(_ name: String) throws(KaizenError) -> RequestMessage? {
        guard let value = try value(name) else { return nil }
        guard case .object = value else {
            throw .invalidValue(
                value.messageText, for: path + name, hint: "Value was of type '\(value.pythonTypeName)'")
        }
        return RequestMessage(fields: value, path: "\(path)\(name).")
    }
}
