import KaizenCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// How a data file's cell reads, by pandas' rules: its default missing-value markers, numbers, and
/// `True`/`False`.
enum CellText {
    /// A number in the cell: its value and whether it was written as an integer that fits in 64 bits.
    struct Number {
        var value: Double
        var integral: Bool
    }

    /// pandas' default missing-value markers (`read_csv`'s `na_values`), the empty cell among them.
    static let missingMarkers: [[UInt8]] = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
        "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ].map { Array($0.utf8) }

    static func isMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        // Every marker is 2 to 9 bytes and starts with one of these.
        guard bytes.count >= 2, bytes.count <= 9 else { return false }
        switch bytes[0] {
        case UInt8(ascii: "#"), UInt8(ascii: "-"), UInt8(ascii: "1"), UInt8(ascii: "<"), UInt8(ascii: "N"),
            UInt8(ascii: "n"):
            return missingMarkers.contains { $0.count == bytes.count && $0.elementsEqual(bytes) }
        default: return false
        }
    }

    /// `true` or `false` for pandas' default true and false words.
    static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch bytes.count {
        case 4: trueWords.contains { $0.elementsEqual(bytes) } ? true : nil
        case 5: falseWords.contains { $0.elementsEqual(bytes) } ? false : nil
        default: nil
        }
    }

    static let trueWords = ["True", "TRUE", "true"].map { Array($0.utf8) }
    static let falseWords = ["False", "FALSE", "false"].map { Array($0.utf8) }

    /// The number a cell holds (`-12`, `3.5`, `.5`, `1e-7`, `inf`), or nil when it holds something else.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Number? {
        if let number = shortDecimal(bytes) { return number }
        let count = bytes.count
        guard count > 0, count < 64 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var dropped = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                if significant < 19 {
                    if mantissa != 0 || byte != UInt8(ascii: "0") { significant += 1 }
                    mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                    if seenPoint { fractionDigits += 1 }
                } else {
                    // Past 19 significant digits the fast path is not exact: the C library reads the cell.
                    dropped += 1
                }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        if digits == 0 { return special(bytes, from: index, negative: negative) }
        var exponent = 0
        if index < count {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else { return nil }
            index += 1
            var exponentNegative = false
            if index < count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count else { return nil }
            while index < count {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                if exponent < 100_000 { exponent = exponent * 10 + Int(byte - UInt8(ascii: "0")) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
            seenPoint = true
        }
        if !seenPoint && digits <= 18 {
            let value = Double(Int64(mantissa))
            return Number(value: negative ? -value : value, integral: true)
        }
        if significant < 19, dropped == 0,
            let value = DecimalConversion.double(
                mantissa: mantissa, exponent: exponent - fractionDigits, negative: negative)
        {
            return Number(value: value, integral: false)
        }
        return Number(value: Self.parsed(bytes), integral: false)
    }

    /// The most common cell, `-?digits` or `-?digits.digits` in at most 17 bytes whose digits fit a double's
    /// significand, read in two tight loops with the same arithmetic as `number`'s general path; nil for anything
    /// else, which that path reads.
    @inline(__always)
    static func shortDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Number? {
        let count = bytes.count
        guard count > 0, count <= 17 else { return nil }
        let negative = bytes[0] == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        var mantissa: UInt64 = 0
        let whole = index
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
        let wholeDigits = index - whole
        if index == count {
            guard wholeDigits > 0 else { return nil }
            let value = Double(Int64(mantissa))
            return Number(value: negative ? -value : value, integral: true)
        }
        guard bytes[index] == UInt8(ascii: ".") else { return nil }
        index += 1
        let fraction = index
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
        let fractionDigits = index - fraction
        guard wholeDigits + fractionDigits > 0, mantissa <= 1 << 53 else { return nil }
        let value = Double(mantissa) / tenToThe[fractionDigits]
        return Number(value: negative ? -value : value, integral: false)
    }

    /// 10^0 through 10^16, each exact in a double.
    static let tenToThe: [Double] = (0...16).map { (exponent: Int) -> Double in
        (0..<exponent).reduce(1.0) { power, _ in power * 10 }
    }

    /// `inf`, `-inf`, `infinity` in any case: numbers to pandas.
    static func special(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int, negative: Bool) -> Number? {
        let rest = String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self).lowercased()
        guard rest == "inf" || rest == "infinity" else { return nil }
        return Number(value: negative ? -.infinity : .infinity, integral: false)
    }

    /// The C library's correctly rounded reading, for the digits the fast path cannot take.
    static func parsed(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        var text = Array(bytes)
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtod($0, nil) }
        }
    }
}
