/// Text after normalization, each scalar with the index of the input scalar it came from, so that a token's span
/// in the normalized text maps back to the input.
struct NormalizedText: Sendable {
    var scalars: [Unicode.Scalar] = []
    /// For each scalar, the index in the input of the scalar it came from.
    var origins: [Int] = []

    init() {}

    /// The input as it is: every scalar its own origin, counted from `base`.
    init(_ input: some Sequence<Unicode.Scalar>, base: Int = 0) {
        for (index, scalar) in input.enumerated() {
            scalars.append(scalar)
            origins.append(base + index)
        }
    }

    mutating func append(_ scalar: Unicode.Scalar, origin: Int) {
        scalars.append(scalar)
        origins.append(origin)
    }

    /// The input span of `range` of the normalized text: from its first scalar's origin to its last scalar's origin
    /// plus one.
    func span(of range: Range<Int>) -> Encoding.Span {
        guard !range.isEmpty else { return Encoding.Span(start: 0, end: 0) }
        return Encoding.Span(start: origins[range.lowerBound], end: origins[range.upperBound - 1] + 1)
    }
}
