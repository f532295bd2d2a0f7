import Foundation

/// BERT's normalization, as the `tokenizers` library's `BertNormalizer` does it, in its order: control characters
/// removed and white space made a plain space; CJK ideographs set apart by spaces; accents stripped (canonical
/// decomposition, then nonspacing marks removed); lowercased (each scalar's full lowercase mapping, no context).
struct BertNormalizer: Sendable {
    var cleanText = true
    var handleChineseChars = true
    /// nil: strip accents when lowercasing, as BERT's uncased models do.
    var stripAccents: Bool? = nil
    var lowercase = true

    func normalize(_ text: NormalizedText) -> NormalizedText {
        var text = text
        if cleanText { text = Self.cleaned(text) }
        if handleChineseChars { text = Self.spacingIdeographs(text) }
        if stripAccents ?? lowercase { text = Self.strippingAccents(text) }
        if lowercase { text = Self.lowercased(text) }
        return text
    }

    static func cleaned(_ text: NormalizedText) -> NormalizedText {
        var out = NormalizedText()
        for (scalar, origin) in zip(text.scalars, text.origins) {
            if scalar.value == 0 || scalar.value == 0xFFFD || UnicodeClasses.isControl(scalar) { continue }
            out.append(UnicodeClasses.isWhitespace(scalar) ? " " : scalar, origin: origin)
        }
        return out
    }

    static func spacingIdeographs(_ text: NormalizedText) -> NormalizedText {
        var out = NormalizedText()
        for (scalar, origin) in zip(text.scalars, text.origins) {
            if UnicodeClasses.isChineseCharacter(scalar) {
                out.append(" ", origin: origin)
                out.append(scalar, origin: origin)
                out.append(" ", origin: origin)
            } else {
                out.append(scalar, origin: origin)
            }
        }
        return out
    }

    static func strippingAccents(_ text: NormalizedText) -> NormalizedText {
        var out = NormalizedText()
        for (scalar, origin) in zip(text.scalars, text.origins) {
            for part in UnicodeClasses.decomposed(scalar) where !UnicodeClasses.isNonspacingMark(part) {
                out.append(part, origin: origin)
            }
        }
        return out
    }

    static func lowercased(_ text: NormalizedText) -> NormalizedText {
        var out = NormalizedText()
        for (scalar, origin) in zip(text.scalars, text.origins) {
            if scalar.isASCII {
                let value = scalar.value
                out.append((65...90).contains(value) ? Unicode.Scalar(value + 32)! : scalar, origin: origin)
                continue
            }
            for part in scalar.properties.lowercaseMapping.unicodeScalars { out.append(part, origin: origin) }
        }
        return out
    }
}
