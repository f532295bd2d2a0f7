import Foundation
import Testing

@testable import KaizenCore

/// gzip out and back: one member, several members back to back, and data that is not gzip, cut short or too large.
struct GzipTests {
    static func gzip(_ text: String, level: Int32 = 6) throws -> [UInt8] {
        let compressor = try GzipCompressor(level: level)
        var output: [UInt8] = []
        compressor.compress(Array(text.utf8), appendingTo: &output)
        compressor.finish(appendingTo: &output)
        return output
    }

    @Test func roundTripsOneAndSeveralMembers() throws {
        let text = String(repeating: "{\"a\": 1, \"b\": \"two\"}\n", count: 5000)
        let one = try Self.gzip(text, level: 1)
        #expect(one.count < text.utf8.count / 10)
        #expect(try GzipDecompressor.decompress(one, limit: 1 << 20, source: "x") == Array(text.utf8))
        let two = one + (try Self.gzip("tail\n")) + [0, 0, 0]
        #expect(try GzipDecompressor.decompress(two, limit: 1 << 20, source: "x") == Array((text + "tail\n").utf8))
        #expect(try GzipDecompressor.decompress(try Self.gzip(""), limit: 10, source: "x") == [])
    }

    @Test func refusesWhatIsNotWholeGzipOrTooLarge() throws {
        let packed = try Self.gzip(String(repeating: "z", count: 10_000))
        func message(_ bytes: [UInt8], limit: Int = 1 << 20) -> String {
            do {
                _ = try GzipDecompressor.decompress(bytes, limit: limit, source: "The body")
                return "no error"
            } catch { return error.message }
        }
        #expect(message(Array("plain".utf8)) == "The body is not gzip data")
        #expect(message([]) == "The body is not gzip data")
        #expect(message(Array(packed.dropLast(4))).contains("cannot be decompressed"))
        var corrupt = packed
        corrupt[12] ^= 0xFF
        #expect(message(corrupt).contains("cannot be decompressed"))
        #expect(message(packed, limit: 9_999) == "The body decompresses to more than 9999 bytes")
    }
}
