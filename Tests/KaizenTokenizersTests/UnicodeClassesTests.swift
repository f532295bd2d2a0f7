import Foundation
import KaizenCore
import Testing

@testable import KaizenTokenizers

/// Every code point classed as the `tokenizers` library classes it (`classes.json` of `make text-fixtures`):
/// removed by BERT's clean-up, made a space, punctuation, white space, stripped as an accent; a letter, a number or
/// something else to GPT-2's pattern.
@Suite(.enabled(if: TextFixtures.available, TextFixtures.missing))
struct UnicodeClassesTests {
    @Test func everyCodePointIsClassedAsTheLibraryClassesIt() throws {
        let json = try JSONValue(
            parsing: try Data(contentsOf: TextFixtures.root.appendingPathComponent("classes.json")))
        func set(_ key: String) -> Set<UInt32> {
            Set(json[key]?.arrayValue?.compactMap { $0.int64Value.map { UInt32($0) } } ?? [])
        }
        let expected = (
            removed: set("removed"), spaced: set("spaced"), punctuation: set("punctuation"),
            whitespace: set("whitespace"), stripped: set("stripped"), letter: set("letter"), number: set("number"),
            other: set("other")
        )
        var wrong: [String: [String]] = [:]
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let removed = value == 0 || value == 0xFFFD || UnicodeClasses.isControl(scalar)
            let spaced = !removed && UnicodeClasses.isWhitespace(scalar) && value != 0x20
            let punctuation = !UnicodeClasses.isWhitespace(scalar) && UnicodeClasses.isPunctuation(scalar)
            let whitespace = UnicodeClasses.isWhitespace(scalar)
            let stripped = UnicodeClasses.decomposed(scalar).allSatisfy(UnicodeClasses.isNonspacingMark)
            let pattern = ByteLevelPreTokenizer.PatternClass(scalar)
            for (name, got, want) in [
                ("removed", removed, expected.removed.contains(value)),
                ("spaced", spaced, expected.spaced.contains(value)),
                ("punctuation", punctuation, expected.punctuation.contains(value)),
                ("whitespace", whitespace, expected.whitespace.contains(value)),
                ("stripped", stripped, expected.stripped.contains(value)),
                ("letter", pattern == .letter, expected.letter.contains(value)),
                ("number", pattern == .number, expected.number.contains(value)),
                ("other", pattern == .other, expected.other.contains(value)),
            ] where got != want {
                let age = scalar.properties.age.map { "\($0.major).\($0.minor)" } ?? "unassigned"
                wrong[name, default: []].append(
                    String(format: "U+%04X", value)
                        + " \(got ? "extra" : "missing") \(scalar.properties.generalCategory) age \(age)")
            }
        }
        if let dump = ProcessInfo.processInfo.environment["KAIZEN_TOKENIZER_DUMP"] {
            let text = wrong.map { "\($0.key): \($0.value.count)\n" + $0.value.joined(separator: "\n") }
            try text.joined(separator: "\n").write(toFile: "\(dump)-classes.txt", atomically: true, encoding: .utf8)
        }
        #expect(wrong.isEmpty, "\(wrong.mapValues { "\($0.count): \($0.prefix(8))" })")
    }
}
