import KaizenCore

/// Reads the fields of one JSON object for the decoders of reports and rollouts, with messages that name the
/// document (`replica report`) and the field's path (`versions.3.latency`), so a refused input says what to fix.
struct JSONObjectReader {
    let fields: [(String, JSONValue)]
    /// What the whole document is, for messages: "replica report", "rollout".
    let document: String
    /// The path of this object inside the document, with a trailing dot; empty at the top.
    let path: String

    init(_ value: JSONValue, document: String, path: String = "") throws(KaizenError) {
        self.document = document
        self.path = path
        guard let fields = value.objectFields else {
            let what = path.isEmpty ? "the document" : "'\(path.dropLast())'"
            throw .invalidParameter("Invalid \(document): \(what) must be a JSON object")
        }
        self.fields = fields
    }

    func fail(_ key: String, _ problem: String) -> KaizenError {
        .invalidParameter("Invalid \(document): '\(path)\(key)' \(problem)")
    }

    /// A problem with this object as a whole.
    func fail(_ problem: String) -> KaizenError {
        path.isEmpty
            ? .invalidParameter("Invalid \(document): \(problem)")
            : .invalidParameter("Invalid \(document): '\(path.dropLast())' \(problem)")
    }

    /// The value of `key`; an explicit `null` counts as absent.
    func value(_ key: String) -> JSONValue? {
        guard let value = fields.last(where: { $0.0 == key })?.1, value != .null else { return nil }
        return value
    }

    func require(_ key: String) throws(KaizenError) -> JSONValue {
        guard let value = value(key) else { throw fail(key, "is required") }
        return value
    }

    func string(_ key: String) throws(KaizenError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw fail(key, "must be a string") }
        return text
    }

    /// A required string of 1 to `maximumLength` characters.
    func requireString(_ key: String, maximumLength: Int = 1024) throws(KaizenError) -> String {
        guard let text = try string(key) else { throw fail(key, "is required") }
        guard !text.isEmpty, text.count <= maximumLength else {
            throw fail(key, "must have 1 to \(maximumLength) characters")
        }
        return text
    }

    func int64(_ key: String) throws(KaizenError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value else { throw fail(key, "must be an integer") }
        return number
    }

    func requireInt64(_ key: String) throws(KaizenError) -> Int64 {
        guard let number = try int64(key) else { throw fail(key, "is required") }
        return number
    }

    /// A non-negative integer; absent is `nil`.
    func count(_ key: String) throws(KaizenError) -> UInt64? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value, number >= 0 else { throw fail(key, "must be a non-negative integer") }
        return UInt64(number)
    }

    /// A version number written as a string (`"3"`, MLflow's way) or a number; it must be positive.
    func requireVersion(_ key: String) throws(KaizenError) -> Int64 {
        let value = try require(key)
        guard let version = Self.version(value), version > 0 else {
            throw fail(key, "must be a positive version number")
        }
        return version
    }

    func bool(_ key: String) throws(KaizenError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw fail(key, "must be true or false") }
        return flag
    }

    func array(_ key: String) throws(KaizenError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue else { throw fail(key, "must be a list") }
        return items
    }

    /// A list of non-negative integers.
    func counts(_ key: String) throws(KaizenError) -> [UInt64]? {
        guard let items = try array(key) else { return nil }
        var counts: [UInt64] = []
        counts.reserveCapacity(items.count)
        for item in items {
            guard let number = item.int64Value, number >= 0 else {
                throw fail(key, "must hold non-negative integers only")
            }
            counts.append(UInt64(number))
        }
        return counts
    }

    func object(_ key: String) throws(KaizenError) -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader(value, document: document, path: path + key + ".")
    }

    /// Reads an element of a list that must be an object, with its index in the path.
    func element(_ key: String, _ index: Int, _ value: JSONValue) throws(KaizenError) -> JSONObjectReader {
        try JSONObjectReader(value, document: document, path: "\(path)\(key)[\(index)].")
    }

    static func version(_ value: JSONValue) -> Int64? {
        switch value {
        case .string(let text): Int64(text)
        default: value.int64Value
        }
    }

    /// A number, or one of the strings JSON serialization writes for non-finite doubles.
    static func double(_ value: JSONValue) -> Double? {
        if let number = value.doubleValue { return number }
        switch value.stringValue {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return nil
        }
    }

    /// A count for the wire: counts past `Int64.max` (never reached in practice) are written as `Int64.max`.
    static func integer(_ count: UInt64) -> JSONValue {
        .integer(Int64(clamping: count))
    }
}
