import KaizenCore
import Testing

struct JSONValueTests {
    @Test func parsesNestedDocument() throws {
        let value = try JSONValue(parsing: #"{"a": [1, 2.5, "x\n\u00e9\ud83d\ude00"], "b": {"c": null, "d": true}}"#)
        #expect(value["a"] == .array([.integer(1), .double(2.5), .string("x\né😀")]))
        #expect(value["b"]?["c"] == .null)
        #expect(value["b"]?["d"] == .bool(true))
    }

    @Test func keepsInt64Exact() throws {
        let value = try JSONValue(parsing: "[9223372036854775807, -9223372036854775808, 1795315594261]")
        #expect(value.arrayValue?.map(\.int64Value) == [Int64.max, Int64.min, 1_795_315_594_261])
    }

    @Test func readsPythonNonFiniteWords() throws {
        let value = try JSONValue(parsing: "[NaN, Infinity, -Infinity]")
        let numbers = value.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(numbers.count == 3)
        #expect(numbers[0].isNaN)
        #expect(numbers[1] == .infinity)
        #expect(numbers[2] == -.infinity)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "\"unterminated", "\"bad \\x escape\"", "tru",
        "\"\\ud800\"", "[1] [2]", "{\"a\":\"\u{01}\"}",
    ])
    func refusesMalformedInput(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func serializesNonFiniteAsStringsAndEscapes() {
        let value: JSONValue = .object([
            ("nan", .double(.nan)), ("inf", .double(.infinity)), ("s", .string("a\"b\\c\u{01}\n")), ("i", 42),
        ])
        #expect(value.jsonText == #"{"nan":"NaN","inf":"Infinity","s":"a\"b\\c\u0001\n","i":42}"#)
    }

    @Test func roundTripsThroughText() throws {
        let value: JSONValue = .object([("k", .array([1, 2.25, "v", .null, true]))])
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }
}
