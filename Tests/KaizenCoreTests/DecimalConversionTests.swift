import KaizenCore
import Testing

/// The JSON parser's own decimal conversion must give exactly the double `strtod` gives, on every input.
struct DecimalConversionTests {
    static func parsed(_ text: String) throws -> Double? {
        try JSONValue(parsing: text).doubleValue
    }

    @Test func agreesWithStrtodOnRandomNumbers() throws {
        let seed = try SplitMix64.seed(default: 0x4B41_495A_454E)
        var generator = SplitMix64(seed: seed)
        var texts: [String] = []
        for _ in 0..<100_000 {
            // Shortest forms of random doubles and of float32 values widened to double (what NumPy clients send).
            let double = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            texts.append(double.description)
            texts.append(Double(Float.random(in: -1e6...1e6, using: &generator)).description)
            // Random digit strings with 1 to 22 digits and a decimal point or exponent anywhere.
            let digits = (0..<Int.random(in: 1...22, using: &generator)).map { _ in
                String(Int.random(in: 0...9, using: &generator))
            }.joined()
            let point = Int.random(in: 0...digits.count, using: &generator)
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "0" }
            while text.count > 1, text.hasPrefix("0"), !text.hasPrefix("0.") { text.removeFirst() }
            texts.append(text)
            texts.append("-" + text + "e\(Int.random(in: -30...30, using: &generator))")
        }
        var mismatches: [String] = []
        for text in texts where !text.contains("inf") && !text.contains("nan") {
            guard let expected = Double(text) else { continue }
            let got = try Self.parsed(text)
            if got?.bitPattern != expected.bitPattern {
                mismatches.append("\(text): \(String(describing: got)) vs \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(10))")
    }

    @Test func edgeCases() throws {
        for text in [
            "0.0", "-0.0", "1e-400", "1e400", "9007199254740993.0", "9007199254740992.5", "0.1", "17.989999771118164",
            "1.7976931348623157e308", "4.9e-324", "123456789012345678901234567890.5",
            "0.000000000000000000000000000001",
            "2.2250738585072014e-308", "1.00000000000000011102230246251565404236316680908203125",
        ] {
            #expect(try Self.parsed(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
        #expect(try JSONValue(parsing: "-0") == .integer(0))
        #expect(try JSONValue(parsing: "9223372036854775807") == .integer(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .integer(.min))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "00012") }
        // Integers and plain decimals next to exponents and the characters that end a number.
        #expect(try JSONValue(parsing: "1e5") == .double(100_000))
        #expect(try JSONValue(parsing: "12E-1") == .double(1.2))
        #expect(try JSONValue(parsing: "[-7,0.5,3]") == .array([.integer(-7), .double(0.5), .integer(3)]))
        #expect(try JSONValue(parsing: "999999999999999999") == .integer(999_999_999_999_999_999))
        #expect(try JSONValue(parsing: "-0.0").doubleValue?.sign == .minus)
        for bad in ["-", "1.", "-.5", "01.5", "1.e3", "1.5.2"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
    }
}
