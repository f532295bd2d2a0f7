import Foundation
import KaizenCore
import Testing

@testable import KaizenMonitoring

/// Hostile and broken profile documents: each is refused with a message that names the column and the field.
struct DatasetProfileDecodingTests {
    static let valid = #"""
        {"format":"kaizen-dataset-profile","version":1,"rows":4,"columns":[
        {"name":"x","storage":"float64","kind":"numerical","rows":4,"missing":1,"infinite":0,"numbers":{"values":[-1.5,0.0,2.0],"counts":[1,1,1]}},
        {"name":"c","storage":"object","kind":"categorical","rows":4,"missing":0,"infinite":0,"categories":[["a",3],[7.0,1]]}]}
        """#

    /// `valid` with `original` replaced by `replacement` is refused, with every one of `fragments` in the message.
    func expectRefusal(
        _ original: String, _ replacement: String, _ fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(Self.valid.contains(original), "the case does not apply", sourceLocation: sourceLocation)
        expectRefusal(of: Self.valid.replacingOccurrences(of: original, with: replacement), fragments)
    }

    func expectRefusal(
        of document: String, _ fragments: [String], maximumSize: Int = 1 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try DatasetProfile(serialized: Array(document.utf8), maximumSize: maximumSize)
            Issue.record("accepted: \(document)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidParameterValue, sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func theValidDocumentReads() throws {
        let profile = try DatasetProfile(serialized: Array(Self.valid.utf8))
        #expect(profile.rows == 4 && profile.columns.map(\.name) == ["x", "c"])
        #expect(profile["c"]?.sample.categories == CategoryCounts(counts: [.label("a"): 3, .number(7): 1]))
        // Whitespace and field order are free after the leading format and version.
        let reordered = Self.valid.replacingOccurrences(of: #""name":"x","storage":"float64","#, with: "")
            .replacingOccurrences(
                of: #""counts":[1,1,1]}"#, with: #" "counts" : [ 1 , 1 , 1 ] } , "name" : "x", "storage":"float64""#)
        #expect(try DatasetProfile(serialized: Array(reordered.utf8))["x"]?.storage == .float)
    }

    @Test func wrongFormatOrVersion() {
        expectRefusal("\"version\":1", "\"version\":2", ["field 'version'", "2 is not supported", "reads version 1"])
        expectRefusal("\"version\":1", "\"version\":\"1\"", ["field 'version'", "expected an integer"])
        expectRefusal("kaizen-dataset-profile", "other-profile", ["field 'format'", "\"other-profile\""])
        expectRefusal(#"{"format":"kaizen-dataset-profile","version":1,"#, #"{"rows":4,"#, ["must start with"])
        expectRefusal(of: "[]", ["expected an object"])
        expectRefusal(of: "", ["ends early"])
        expectRefusal(of: "not json", ["expected an object"])
        expectRefusal(of: Self.valid + "x", ["unexpected data after the document"])
    }

    @Test func wrongTypes() {
        expectRefusal(
            #""rows":4,"missing":1"#, #""rows":"4","missing":1"#, [#"column 0 ("x")"#, "field 'rows'", "integer"])
        expectRefusal(
            #""counts":[1,1,1]"#, #""counts":[1,1.5,1]"#,
            ["column 0", "field 'numbers.counts'", "1.5 is not an integer"])
        expectRefusal(#""storage":"object""#, #""storage":"int32""#, [#"column 1 ("c")"#, "field 'storage'", "int32"])
        expectRefusal(#""kind":"categorical""#, #""kind":"ordinal""#, ["column 1", "field 'kind'", "ordinal"])
        expectRefusal(#"["a",3]"#, "[true,3]", ["column 1", "field 'categories'", "a label or a number as the key"])
        expectRefusal(#"["a",3]"#, #"{"a":3}"#, ["column 1", "field 'categories'", "expected a [key, count] pair"])
        expectRefusal(#""numbers":{"#, #""numbers":[{"#, ["column 0", "field 'numbers'", "expected an object"])
        expectRefusal(#""name":"x""#, #""name":null"#, ["column 0", "field 'name'", "expected a string"])
    }

    @Test func missingRepeatedAndUnknownFields() {
        expectRefusal(#""name":"x","#, "", ["column 0:", "the field 'name' is missing"])
        expectRefusal(
            #""name":"x","#, #""name":"x","name":"y","#, [#"column 0 ("x")"#, "field 'name'", "appears twice"])
        expectRefusal(
            #","infinite":0,"numbers""#, #","infinite":0,"extra":1,"numbers""#, ["field 'extra'", "is not a field"])
        expectRefusal(
            #","numbers":{"values":[-1.5,0.0,2.0],"counts":[1,1,1]}"#, "", ["column 0", "'numbers' or 'categories'"])
        expectRefusal(#","counts":[1,1,1]}"#, "}", ["column 0", "'numbers.counts' is missing"])
        expectRefusal(
            #""infinite":0,"categories""#, #""infinite":0,"numbers":{"values":[],"counts":[]},"categories""#,
            ["column 1", "field 'categories'", "either numbers or categories"])
        expectRefusal(#""name":"c""#, #""name":"x""#, [#"column 1 ("x")"#, "field 'name'", "repeats"])
        expectRefusal(#""rows":4,"columns""#, #""columns""#, ["the field 'rows' is missing"])
    }

    @Test func inconsistentCounts() {
        expectRefusal(
            #""counts":[1,1,1]"#, #""counts":[1,2,1]"#, ["column 0", "field 'numbers'", "add up to 4", "= 3"])
        expectRefusal(#""counts":[1,1,1]"#, #""counts":[1,-1,3]"#, ["field 'numbers.counts'", "item 1 is -1"])
        expectRefusal(#""counts":[1,1,1]"#, #""counts":[1,0,2]"#, ["field 'numbers.counts'", "at least 1"])
        expectRefusal(#""counts":[1,1,1]"#, #""counts":[1,1]"#, ["column 0", "3 values but 2 counts"])
        expectRefusal(
            #""counts":[1,1,1]"#, #""counts":[9223372036854775807,1,1]"#, ["field 'numbers.counts'", "more than"])
        expectRefusal(
            #""counts":[1,1,1]"#, #""counts":[1,1,18446744073709551616]"#, ["numbers.counts", "not an integer"])
        expectRefusal(#""missing":1"#, #""missing":5"#, ["column 0", "more than the 4 rows"])
        expectRefusal(#""missing":1"#, #""missing":-1"#, ["column 0", "field 'missing'", "-1 is negative"])
        expectRefusal(
            #""missing":0,"infinite":0"#, #""missing":0,"infinite":1"#,
            ["column 1", "field 'categories'", "add up to 4"])
        expectRefusal(#"["a",3]"#, #"["a",2],["a",1]"#, ["column 1", "field 'categories'", "\"a\" appears twice"])
        expectRefusal(#"[7.0,1]"#, #"[7,1],[7.0,0]"#, ["column 1", "field 'categories'", "at least 1"])
        expectRefusal(
            #""rows":4,"columns""#, #""rows":5,"columns""#, [#"column 0 ("x")"#, "field 'rows'", "has 5 rows"])
    }

    @Test func valuesOutOfOrderOrNotFinite() {
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,2.0,0.0]", ["column 0", "field 'numbers.values'", "item 2"])
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,-1.5,2.0]", ["field 'numbers.values'", "not above"])
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,-0.0,0.0]", ["field 'numbers.values'", "not above"])
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,NaN,2.0]", ["field 'numbers.values'", "NaN"])
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,0.0,1e999]", ["field 'numbers.values'", "finite"])
        expectRefusal("[-1.5,0.0,2.0]", "[-Infinity,0.0,2.0]", ["field 'numbers.values'", "finite"])
        expectRefusal("[-1.5,0.0,2.0]", #"[-1.5,"0.0",2.0]"#, ["field 'numbers.values'", "expected a number"])
        expectRefusal("[7.0,1]", "[Infinity,1]", ["field 'categories'", "NaN and infinities"])
    }

    @Test func malformedJSON() {
        expectRefusal("[-1.5,0.0,2.0]", "[-1.5,01,2.0]", ["column 0", "malformed JSON", "leading zero"])
        expectRefusal(#""name":"x""#, #""name":"\ud800""#, ["column 0", "field 'name'", "malformed JSON"])
        expectRefusal(#""name":"x""#, "\"name\":\"a\u{1}b\"", ["malformed JSON", "control character"])
        var bytes = Array(Self.valid.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "x"))!] = 0xFF
        #expect(throws: KaizenError.self) { try DatasetProfile(serialized: bytes) }
    }

    /// An error deep in a large document is found and placed.
    @Test func errorsInLargeDocuments() throws {
        let columns = (0..<4).map { index in
            DataColumn(
                name: "n\(index)",
                values: .numbers((0..<100_000).map { Double($0) / 8 }, integral: false, boolean: false))
        }
        var text = String(
            decoding: DatasetProfile(DataTable(columns: columns, rowCount: 100_000)).serialized(), as: UTF8.self)
        #expect(text.utf8.count > 1 << 20)
        #expect(try DatasetProfile(serialized: Array(text.utf8)).columns.count == 4)
        text = text.replacingOccurrences(of: ",2.5,", with: ",2.5,2.5,")
        expectRefusal(
            of: text, [#"column 0 ("n0")"#, "field 'numbers.values'", "item 21 (2.5) is not above"],
            maximumSize: 1 << 24)
        text = String(text.dropLast(3))
        expectRefusal(of: text, [#"column 0 ("n0")"#, "not above"], maximumSize: 1 << 24)
    }

    @Test func sizeLimit() throws {
        expectRefusal(of: Self.valid, ["more than the limit of 100"], maximumSize: 100)
        #expect(try DatasetProfile(serialized: Array(Self.valid.utf8), maximumSize: Self.valid.utf8.count).rows == 4)
    }

    /// Every truncation is refused, and random damage is refused or read, never a crash.
    @Test func truncatedAndDamagedDocuments() throws {
        let bytes = Array(Self.valid.utf8)
        for length in 0..<bytes.count {
            #expect(throws: KaizenError.self, "length \(length)") { try DatasetProfile(serialized: bytes[..<length]) }
        }
        #expect(throws: KaizenError.self) { try DatasetProfile(serialized: bytes[..<(bytes.count - 2)]) }
        let seed = try SplitMix64.seed(default: 0xBAD_D0C)
        var generator = SplitMix64(seed: seed)
        let alphabet = Array(#"{}[]:,"-.0123456789eE \ntruefalsnNaI"#.utf8) + [0, 0xFF]
        var refused = 0
        for _ in 0..<3_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: damaged[index] = alphabet.randomElement(using: &generator)!
                case 1: damaged.remove(at: index)
                default: damaged.insert(alphabet.randomElement(using: &generator)!, at: index)
                }
            }
            do {
                let profile = try DatasetProfile(serialized: damaged)
                // Whatever is read is consistent: it writes and reads back.
                #expect(try DatasetProfile(serialized: profile.serialized()).serialized() == profile.serialized())
            } catch {
                refused += 1
                #expect(error.message.hasPrefix("Invalid dataset profile: "), "seed \(seed)")
            }
        }
        #expect(refused > 2_000, "seed \(seed)")
    }
}
