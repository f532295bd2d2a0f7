/// GPT-2's pre-tokenization, as the `tokenizers` library's `ByteLevel` pre-tokenizer runs it (`use_regex`): the
/// text split by the pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, tried in
/// that order at each position, every piece kept; each piece then goes to the model as its UTF-8 bytes.
struct ByteLevelPreTokenizer: Sendable {
    /// The pieces of `scalars`, as ranges of it.
    func pieces(_ scalars: ArraySlice<Unicode.Scalar>) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var index = scalars.startIndex
        let end = scalars.endIndex
        while index < end {
            let next = Self.match(scalars, at: index)
            pieces.append(index..<next)
            index = next
        }
        return pieces
    }

    /// Where the pattern's first matching alternative at `start` ends.
    static func match(_ s: ArraySlice<Unicode.Scalar>, at start: Int) -> Int {
        let end = s.endIndex
        // 's 't 're 've 'm 'll 'd
        if s[start] == "'" && start + 1 < end {
            let first = s[start + 1]
            if first == "s" || first == "t" || first == "m" || first == "d" { return start + 2 }
            if start + 2 < end {
                let second = s[start + 2]
                if (first == "r" && second == "e") || (first == "v" && second == "e") || (first == "l" && second == "l")
                {
                    return start + 3
                }
            }
        }
        // An optional space, then a run of letters, of numbers, or of anything but space, letters and numbers.
        let body = s[start] == " " && start + 1 < end ? start + 1 : start
        let kind = PatternClass(s[body])
        if kind != .space {
            var index = body + 1
            while index < end && PatternClass(s[index]) == kind { index += 1 }
            return index
        }
        // White space: the run, less its last character when something else follows (`\s+(?!\S)`), unless that
        // leaves nothing (`\s+`).
        var index = start
        while index < end && PatternClass(s[index]) == .space { index += 1 }
        if index < end && index - start > 1 { return index - 1 }
        return index
    }

    /// The classes the pattern tells apart.
    enum PatternClass: Equatable {
        case letter
        case number
        case space
        case other

        init(_ scalar: Unicode.Scalar) {
            if UnicodeClasses.isPatternSpace(scalar) {
                self = .space
                return
            }
            // The library's regular expressions know Unicode 16.0: a letter or number assigned later is "other".
            guard let age = scalar.properties.age, age.major <= 16 else {
                self = .other
                return
            }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
            case .decimalNumber, .letterNumber, .otherNumber: self = .number
            default: self = .other
            }
        }
    }
}
