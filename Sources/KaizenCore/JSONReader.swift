/// A forward-only reader of one JSON text, for a caller that expects a known shape and wants its values without
/// building a `JSONValue` tree (a scoring request's thousands of numbers). It reads with the same grammar as
/// `JSONValue(parsing:)`; each method reads one token after any whitespace, and answers `false` or `nil` without
/// moving when the next token is not the one asked for, so the caller can give up and parse the text in full.
public struct JSONReader {
    var parser: JSONParser

    /// Runs `body` on a reader over `bytes`; the reader must not outlive `body`.
    public static func read<Result>(
        _ bytes: some Collection<UInt8>, _ body: (inout JSONReader) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var reader = JSONReader(parser: JSONParser(bytes: buffer))
            return try body(&reader)
        }
    }

    /// Whether only whitespace is left.
    public mutating func isAtEnd() -> Bool {
        parser.skipWhitespace()
        return parser.index == parser.bytes.count
    }

    /// Reads `byte` (a structural character: `{`, `}`, `[`, `]`, `:`, `,`) if it comes next.
    public mutating func take(_ byte: UInt8) -> Bool {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == byte else { return false }
        parser.index += 1
        return true
    }

    /// Reads a string if one comes next.
    public mutating func string() throws(JSONParseError) -> String? {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else { return nil }
        return try parser.parseString()
    }

    /// Reads a number written in JSON's grammar if one comes next: `.integer` for an integer that fits in `Int64`,
    /// else `.double` (`-Infinity` included, as `JSONValue(parsing:)` reads it); `nil` before anything else,
    /// `NaN` and `Infinity` included.
    public mutating func number() throws(JSONParseError) -> JSONValue? {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { return nil }
        switch parser.bytes[parser.index] {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parser.parseNumber()
        default: return nil
        }
    }
}
