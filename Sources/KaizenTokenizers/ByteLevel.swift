/// GPT-2's byte-level alphabet: each of the 256 byte values as a printable character (the printable Latin-1 bytes as
/// themselves, the others from U+0100 up), so that any text's UTF-8 bytes spell a word of the vocabulary's alphabet.
enum ByteLevel {
    /// The character each byte stands for.
    static let characters: [Unicode.Scalar] = {
        let printable = Set(Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF))
        var characters = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            if printable.contains(byte) {
                characters[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // U+0100 to U+0143: letters, always valid scalars.
                characters[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return characters
    }()

    /// Each byte's character as UTF-8, the form vocabulary keys are compared in.
    static let characterBytes: [[UInt8]] = characters.map { Array(String(Character($0)).utf8) }

    /// The character of the space byte, which marks a word that followed a space.
    static let space: Unicode.Scalar = characters[0x20]
}
