import Foundation
import KaizenCore

/// Parses `application/x-www-form-urlencoded` query strings as Python's `requests` writes them.
enum QueryString {
    /// Fields as a JSON object; a key that repeats becomes an array.
    static func parse(_ query: String) -> JSONValue {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        return .object(
            order.map { key in
                let items = values[key] ?? []
                return (key, items.count == 1 ? .string(items[0]) : .array(items.map { .string($0) }))
            })
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return PercentEncoding.decode(spaced, strict: false) ?? spaced
    }
}
