import KaizenCore
import Testing

/// The two outputs of one encoding agree: the bytes ``JSONWriter`` writes are the serialization of the value
/// ``JSONTreeBuilder`` builds, and both are the value the encoding describes.
struct JSONOutputTests {
    struct Item {
        var name: String
        var score: Double
        var count: Int64?
        var labels: [String]
    }

    static func write(_ items: [Item], to json: inout some JSONOutput) {
        json.object {
            $0.field("title", "quote \" backslash \\ newline \n tab \t é 😀")
            $0.repeated("items", items) { json, item in
                json.object {
                    $0.field("name", item.name)
                    $0.field("score", item.score)
                    $0.field("count", item.count)
                    $0.repeated("labels", item.labels) { $0.string($1) }
                    $0.field("nested") { $0.field("empty") { _ in } }
                }
            }
            $0.repeated("none", [Int64]()) { $0.integer($1) }
            $0.key("raw")
            $0.value(.array([.null, .bool(true), .integer(-3)]))
            $0.field("last", Int64.min)
        }
    }

    static let items = [
        Item(name: "a", score: 0.1, count: 3, labels: ["x", "y"]),
        Item(name: "", score: .nan, count: nil, labels: []),
        Item(name: "c", score: -.infinity, count: 0, labels: ["z"]),
    ]

    @Test func writerAndTreeBuilderAgree() {
        var writer = JSONWriter()
        Self.write(Self.items, to: &writer)
        let tree = JSONTreeBuilder.build { Self.write(Self.items, to: &$0) }
        #expect(writer.bytes == tree.serialized())
    }

    @Test func theTreeIsTheDescribedValue() {
        let tree = JSONTreeBuilder.build { Self.write(Array(Self.items.prefix(1)), to: &$0) }
        let expected: JSONValue = .object([
            ("title", .string("quote \" backslash \\ newline \n tab \t é 😀")),
            (
                "items",
                .array([
                    .object([
                        ("name", .string("a")), ("score", .double(0.1)), ("count", .integer(3)),
                        ("labels", .array([.string("x"), .string("y")])),
                        ("nested", .object([("empty", .object([]))])),
                    ])
                ])
            ),
            ("raw", .array([.null, .bool(true), .integer(-3)])), ("last", .integer(Int64.min)),
        ])
        #expect(tree == expected)
    }

    @Test func aTopLevelArrayAndScalars() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.integer(1)
        writer.double(2.5)
        writer.string("s")
        writer.object { _ in }
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[1,2.5,"s",{}]"#)
    }

    @Test func integersAreWrittenAsTheirDecimalDigits() {
        var generator = SplitMix64(seed: 11)
        let edges: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1, 1_795_315_594_261]
        let values = edges + (0..<1_000).map { _ in Int64(bitPattern: generator.next()) >> (generator.next() % 64) }
        for value in values {
            var writer = JSONWriter()
            writer.integer(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
            #expect(JSONValue.integer(value).jsonText == String(value))
        }
    }

    @Test func elementsWrittenApartJoinIntoOneArray() {
        var whole = JSONWriter()
        whole.beginArray()
        for value in 1...5 { whole.integer(Int64(value)) }
        whole.endArray()

        var first = JSONWriter()
        for value in 1...2 { first.integer(Int64(value)) }
        var second = JSONWriter()
        for value in 3...5 { second.integer(Int64(value)) }
        var joined = JSONWriter()
        joined.beginArray()
        joined.appendElements(of: JSONWriter())
        joined.appendElements(of: first)
        joined.appendElements(of: JSONWriter())
        joined.appendElements(of: second)
        joined.endArray()
        #expect(joined.bytes == whole.bytes)
        #expect(String(decoding: joined.bytes, as: UTF8.self) == "[1,2,3,4,5]")
    }

    @Test func valuesWrittenEarlierAreElements() {
        var whole = JSONWriter()
        whole.beginArray()
        for value in 1...2 { whole.object { $0.field("v", Int64(value)) } }
        whole.endArray()
        let kept = [1, 2].map { value in
            var json = JSONWriter()
            json.object { $0.field("v", Int64(value)) }
            return json.bytes
        }
        var joined = JSONWriter()
        joined.beginArray()
        for value in kept { joined.appendElement(serialized: value) }
        joined.endArray()
        #expect(joined.bytes == whole.bytes)
        #expect(String(decoding: joined.bytes, as: UTF8.self) == #"[{"v":1},{"v":2}]"#)
    }
}
