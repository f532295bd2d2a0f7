/// Percent-decoding of URL parts (`%2F` → `/`).
public enum PercentEncoding {
    /// Decodes `%XX` escapes once. With `strict`, a malformed escape makes the result nil; otherwise it is
    /// kept as written. Nil too when the decoded bytes are not UTF-8.
    public static func decode(_ text: some StringProtocol, strict: Bool) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), let high = hexValue(input, index + 1), let low = hexValue(input, index + 2) {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            if byte == UInt8(ascii: "%"), strict { return nil }
            bytes.append(byte)
            index += 1
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Decodes leniently until the text stops changing (at most `rounds` times), undoing double and triple
    /// encoding. With `plusAsSpace`, `+` reads as a space in every round, as form decoding does.
    public static func decodeRepeatedly(_ text: String, plusAsSpace: Bool = false, rounds: Int = 10) -> String {
        var current = text
        for _ in 0..<rounds {
            let input = plusAsSpace ? String(current.map { $0 == "+" ? " " : $0 }) : current
            let next = decode(input, strict: false) ?? input
            if next == current { break }
            current = next
        }
        return current
    }

    static func hexValue(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
