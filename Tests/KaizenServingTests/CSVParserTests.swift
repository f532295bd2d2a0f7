import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// RFC 4180 CSV, fed in chunks of any size.
struct CSVParserTests {
    @Test func csvRowsSurviveAnyChunking() throws {
        let text = "a,b,c\r\n1,\"x, \"\"quoted\"\"\",2.5\n,True,\"multi\nline\"\n3,plain,-4"
        var whole = CSVParser()
        var expected = try whole.append(Array(text.utf8))
        if let last = try whole.finish() { expected.append(last) }
        #expect(expected.count == 4)
        #expect(expected[1] == [.integer(1), .string("x, \"quoted\""), .double(2.5)])
        #expect(expected[2] == [.null, .bool(true), .string("multi\nline")])
        for size in [1, 2, 3, 7] {
            var parser = CSVParser()
            var rows: [[JSONValue]] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                rows += try parser.append(bytes[start..<min(start + size, bytes.count)])
            }
            if let last = try parser.finish() { rows.append(last) }
            #expect(rows == expected, "chunks of \(size)")
        }
        var unclosed = CSVParser()
        _ = try unclosed.append(Array("a\n\"open".utf8))
        #expect(throws: ServingError.self) { try unclosed.finish() }
    }

    @Test func numbersReadFromBytesAreTypedAsTheirText() {
        let fields = [
            "0", "-0", "007", "42", "-17", "123456789012345678", "1234567890123456789", "99999999999999999999", "1.",
            ".5", "-.5", "2.5", "0.30000000000000004", "1e5", "1E-7", "-2.5e+3", "6.02214076e23", "1e", "1e+", "1.2.3",
            "+5", "-", ".", "e5", "5e5.5", "nan", "inf", "0x10", " 5", "12a", "1_000",
        ]
        for text in fields {
            var bytes = Array(text.utf8)
            let fast = CSVParser.plainNumber(&bytes)
            #expect(bytes == Array(text.utf8), "\(text): the field is left as it was")
            if let fast {
                #expect(fast == CSVParser.cell(text), "\(text)")
            } else {
                // Left to the full reader: nothing a plain decimal number would be.
                #expect(!["0", "42", "2.5", "1e5", "-.5"].contains(text), "\(text)")
            }
        }
        var parser = CSVParser()
        let rows = (try? parser.append(Array("a,b\n1.5,2\n-3e2,x\n".utf8))) ?? []
        #expect(rows == [[.string("a"), .string("b")], [.double(1.5), .integer(2)], [.double(-300), .string("x")]])
    }
}
