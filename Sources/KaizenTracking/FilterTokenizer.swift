import KaizenCore

enum FilterTokenizer {
    static func tokenize(_ text: String) throws(KaizenError) -> [FilterToken] {
        let chars = Array(text.unicodeScalars)
        var tokens: [FilterToken] = []
        var index = 0
        func invalid() -> KaizenError { .invalidParameter("Invalid filter '\(text)'. Could not be parsed.") }
        while index < chars.count {
            let char = chars[index]
            if char.properties.isWhitespace {
                index += 1
                continue
            }
            switch char {
            case "(":
                tokens.append(.openParen)
                index += 1
            case ")":
                tokens.append(.closeParen)
                index += 1
            case ",":
                tokens.append(.comma)
                index += 1
            case "=":
                tokens.append(.op("="))
                index += 1
            case "!":
                guard index + 1 < chars.count, chars[index + 1] == "=" else { throw invalid() }
                tokens.append(.op("!="))
                index += 2
            case "<", ">":
                if index + 1 < chars.count, chars[index + 1] == "=" {
                    tokens.append(.op(String(char) + "="))
                    index += 2
                } else if char == "<", index + 1 < chars.count, chars[index + 1] == ">" {
                    tokens.append(.op("!="))
                    index += 2
                } else {
                    tokens.append(.op(String(char)))
                    index += 1
                }
            case "'", "\"", "`":
                var value = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < chars.count {
                    if chars[index] == char {
                        // A doubled quote inside a string stands for one quote character, as in SQL.
                        if char != "`", index + 1 < chars.count, chars[index + 1] == char {
                            value.append(char)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    value.append(chars[index])
                    index += 1
                }
                guard closed else { throw invalid() }
                let string = String(value)
                tokens.append(char == "`" ? .backtick(string) : .quoted(string, double: char == "\""))
            default:
                let start = index
                let isNumberStart =
                    ("0"..."9").contains(char)
                    || ((char == "-" || char == "+" || char == ".") && index + 1 < chars.count
                        && ("0"..."9").contains(chars[index + 1]))
                if isNumberStart {
                    index += 1
                    while index < chars.count,
                        ("0"..."9").contains(chars[index]) || chars[index] == "." || chars[index] == "e"
                            || chars[index] == "E"
                            || ((chars[index] == "-" || chars[index] == "+")
                                && (chars[index - 1] == "e" || chars[index - 1] == "E"))
                    {
                        index += 1
                    }
                    let literal = String(String.UnicodeScalarView(chars[start..<index]))
                    guard let number = Double(literal) else { throw invalid() }
                    tokens.append(.number(number))
                    continue
                }
                while index < chars.count, isWordCharacter(chars[index]) { index += 1 }
                guard index > start else { throw invalid() }
                tokens.append(.word(String(String.UnicodeScalarView(chars[start..<index]))))
            }
        }
        return tokens
    }

    static func isWordCharacter(_ char: Unicode.Scalar) -> Bool {
        char.properties.isAlphabetic || ("0"..."9").contains(char) || char == "_" || char == "." || char == "-"
            || char == ":" || char == "/"
    }
}
