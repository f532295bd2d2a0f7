import KaizenCore
import Testing

@testable import KaizenFlavors

/// UBJSON as XGBoost writes it, and hostile documents refused without allocating what they claim.
struct UBJSONTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsXGBoostsShapes() throws {
        // {L<7>"learner" {L<4>"name" S L<6>"gbtree"  L<6>"values" [$d#L<2> 1.5f -2f  L<4>"ints" [#U<2> i-3 U200 } }
        var document: [UInt8] = [UInt8(ascii: "{")]
        func key(_ text: String) {
            document += [UInt8(ascii: "L"), 0, 0, 0, 0, 0, 0, 0, UInt8(text.utf8.count)] + Array(text.utf8)
        }
        key("learner")
        document += [UInt8(ascii: "{")]
        key("name")
        document += [UInt8(ascii: "S"), UInt8(ascii: "U"), 6] + Array("gbtree".utf8)
        key("values")
        document += Array("[$d#".utf8) + [UInt8(ascii: "U"), 2]
        for value: Float in [1.5, -2] {
            let bits = value.bitPattern
            document += [UInt8(bits >> 24), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
        }
        key("ints")
        document += Array("[#".utf8) + [UInt8(ascii: "U"), 3, UInt8(ascii: "i"), 0xFD, UInt8(ascii: "U"), 200]
        document += [UInt8(ascii: "I"), 0x01, 0x00]
        key("flags")
        document += Array("[TFZ]".utf8)
        document += Array("}}".utf8)
        let value = try UBJSON.parse(document)
        #expect(value["learner"]?["name"] == "gbtree")
        #expect(value["learner"]?["values"] == .array([.double(1.5), .double(-2)]))
        #expect(value["learner"]?["ints"] == .array([.integer(-3), .integer(200), .integer(256)]))
        #expect(value["learner"]?["flags"] == .array([.bool(true), .bool(false), .null]))
    }

    @Test func hostileDocumentsAreRefused() {
        let cases: [([UInt8], String)] = [
            (Self.bytes("[$d#L") + [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "more than the data left"),
            (Self.bytes("[#l") + [0x7F, 0xFF, 0xFF, 0xFF], "more than the data left"),
            (Self.bytes("[$Z#l") + [0x7F, 0xFF, 0xFF, 0xFF], "more than the data left"),
            (Self.bytes("S") + [UInt8(ascii: "i"), 0xFF], "negative length"),
            (Array(repeating: UInt8(ascii: "["), count: 200), "nesting deeper than 64"),
            (Self.bytes("[$d#U") + [2, 0, 0], "more than the data left"),
            (Self.bytes("[U"), "unexpected end of data"),
            (Self.bytes("[D") + [0, 0, 0], "unexpected end of data"),
            (Self.bytes("{") + [UInt8(ascii: "U"), 1, UInt8(ascii: "a"), UInt8(ascii: "?")], "unknown marker"),
            (Self.bytes("S") + [UInt8(ascii: "U"), 1, 0xFF], "not UTF-8"),
            (Self.bytes("[]x"), "unexpected data after the document"),
            (Self.bytes("[$d]"), "a typed container must give its count"),
            ([], "unexpected end of data"),
        ]
        for (document, message) in cases {
            do {
                let value = try UBJSON.parse(document)
                Issue.record("accepted \(document.prefix(12)): \(value)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}
