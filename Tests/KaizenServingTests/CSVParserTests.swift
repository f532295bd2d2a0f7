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
}
