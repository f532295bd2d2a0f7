/// Encodings padded to a fixed length (or a multiple), as the `tokenizers` library pads them.
struct Padding: Sendable {
    /// nil: as long as the longest of a batch (one encoding alone is not padded).
    let fixedLength: Int?
    let multipleOf: Int?
    let padLeft: Bool
    let id: Int
    let typeID: Int
    let token: String

    func apply(_ encoding: inout Encoding) {
        guard var target = fixedLength ?? (multipleOf != nil ? encoding.count : nil) else { return }
        if let multipleOf, multipleOf > 0, target % multipleOf != 0 { target += multipleOf - target % multipleOf }
        let missing = target - encoding.count
        guard missing > 0 else { return }
        let empty = Encoding.Span(start: 0, end: 0)
        if padLeft {
            encoding = Encoding(
                ids: Array(repeating: id, count: missing) + encoding.ids,
                typeIDs: Array(repeating: typeID, count: missing) + encoding.typeIDs,
                attentionMask: Array(repeating: 0, count: missing) + encoding.attentionMask,
                offsets: Array(repeating: empty, count: missing) + encoding.offsets,
                tokens: Array(repeating: token, count: missing) + encoding.tokens)
        } else {
            for _ in 0..<missing { encoding.append(id: id, token: token, typeID: typeID, span: empty, attention: 0) }
        }
    }
}
