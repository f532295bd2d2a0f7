import Foundation
import Synchronization

/// The character classes BERT's normalization and pre-tokenization test, as the `tokenizers` library defines them.
///
/// The library takes punctuation and format characters from Unicode 8.0's categories (its category tables are that
/// old) and white space from the current `White_Space` property; so do these, from the scalar's age. Every code
/// point's class is checked against the library's (`UnicodeClassesTests`).
enum UnicodeClasses {
    /// White space: the Unicode `White_Space` property (tab, line feed, vertical tab, form feed and carriage return
    /// among it).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: true
        case 0..<0x80: false
        default: scalar.properties.isWhitespace
        }
    }

    /// Control, private-use and (as of Unicode 8.0) format characters, which clean-up removes; tab, line feed and
    /// carriage return are white space instead.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .privateUse, .surrogate: return true
            case .format: return inUnicode8(scalar)
            default: return false
            }
        }
    }

    /// ASCII punctuation (`$`, `+`, `<`, `^` and the like among it) or Unicode 8.0's punctuation.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value) || (0x5B...0x60).contains(value)
                || (0x7B...0x7E).contains(value)
        }
        // Punctuation in Unicode 8.0 that later versions class otherwise (a symbol, a mark).
        if value == 0x166D || value == 0x111C9 { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return inUnicode8(scalar)
        default:
            return false
        }
    }

    /// `\s` in GPT-2's pre-tokenization pattern.
    static func isPatternSpace(_ scalar: Unicode.Scalar) -> Bool {
        isWhitespace(scalar)
    }

    /// A nonspacing mark as of Unicode 8.0 (accent stripping removes those).
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        // Nonspacing marks in Unicode 8.0 that later versions made spacing marks.
        case 0x1734, 0x1171E: return true
        // Two Mongolian letters, a spacing mark and a punctuation mark in Unicode 8.0, nonspacing marks since.
        case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false
        default: return scalar.properties.generalCategory == .nonspacingMark && inUnicode8(scalar)
        }
    }

    /// Whether the scalar was assigned by Unicode 8.0.
    static func inUnicode8(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// The CJK Unified Ideographs blocks (and their extensions and compatibility forms) that BERT sets apart.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }

    /// The canonical decomposition (NFD) of one scalar; scalars below U+00C0 have none.
    static func decomposed(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        guard scalar.value >= 0xC0 else { return [scalar] }
        if let known = decompositions.withLock({ $0[scalar] }) { return known }
        let parts = Array(String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars)
        decompositions.withLock { $0[scalar] = parts }
        return parts
    }

    static let decompositions = Mutex<[Unicode.Scalar: [Unicode.Scalar]]>([:])
}
