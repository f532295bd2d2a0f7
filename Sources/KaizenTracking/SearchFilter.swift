public import KaizenCore

/// What a filter or order-by key refers to: `metrics.x`, `params.x`, `tags.x`, an attribute, a dataset field.
public enum FilterEntity: String, Sendable {
    case metric
    case param
    case tag
    case attribute
    case dataset

    /// Maps a key prefix and its MLflow aliases (`metric`, `parameter`, `attr`, `run`, ...) to an entity.
    init?(prefix: String) {
        switch prefix.lowercased() {
        case "metric", "metrics": self = .metric
        case "param", "params", "parameter", "parameters": self = .param
        case "tag", "tags": self = .tag
        case "attribute", "attributes", "attr", "run": self = .attribute
        case "dataset", "datasets": self = .dataset
        default: return nil
        }
    }
}

/// A comparison operator of the filter grammar.
public enum FilterOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case like = "LIKE"
    case iLike = "ILIKE"
    case isIn = "IN"
    case notIn = "NOT IN"
    case isNull = "IS NULL"
    case isNotNull = "IS NOT NULL"

    /// The operators that compare numbers.
    public static let numeric: Set<FilterOperator> = [
        .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual,
    ]
    /// The operators that compare strings.
    public static let string: Set<FilterOperator> = [.equal, .notEqual, .like, .iLike]
}

/// The right-hand side of a comparison.
public enum FilterValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case list([String])
    case none
}

/// One `entity.key operator value` comparison of a filter.
public struct FilterClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var op: FilterOperator
    public var value: FilterValue

    public init(entity: FilterEntity, key: String, op: FilterOperator, value: FilterValue) {
        self.entity = entity
        self.key = key
        self.op = op
        self.value = value
    }

    /// The value as a string, for string comparisons.
    public var stringValue: String? {
        if case .string(let value) = value { return value }
        return nil
    }

    /// The value as a number, for numeric comparisons.
    public var numberValue: Double? {
        if case .number(let value) = value { return value }
        return nil
    }
}

/// One `entity.key [ASC|DESC]` item of an `order_by` list.
public struct OrderClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var ascending: Bool

    public init(entity: FilterEntity, key: String, ascending: Bool) {
        self.entity = entity
        self.key = key
        self.ascending = ascending
    }
}

/// The parser of MLflow's search grammar: comparisons joined by `AND`, keys optionally quoted.
public enum SearchFilter {
    /// Parses a filter string into clauses; an empty or blank string is no filter.
    ///
    /// Keys without a prefix are attributes. Which keys and operators an entity accepts is checked by the
    /// caller (`RunSearch`, `ExperimentSearch`, ...), since that differs between searches.
    public static func parse(_ text: String) throws(KaizenError) -> [FilterClause] {
        var tokens = try FilterTokenizer.tokenize(text)
        guard !tokens.isEmpty else { return [] }
        var clauses: [FilterClause] = []
        var reader = TokenReader(tokens: tokens, text: text)
        while true {
            clauses.append(try reader.readClause())
            guard let next = reader.peek() else { break }
            guard case .word(let word) = next, word.uppercased() == "AND" else {
                throw invalidClause(next, in: text)
            }
            reader.advance()
            guard reader.peek() != nil else { throw .invalidParameter("Invalid filter '\(text)'. Trailing AND.") }
        }
        tokens.removeAll()
        return clauses
    }

    /// Parses one `order_by` item such as `metrics.rmse DESC` or ``tags.`mlflow.runName` ``.
    public static func parseOrder(_ text: String) throws(KaizenError) -> OrderClause {
        let tokens = try FilterTokenizer.tokenize(text)
        var reader = TokenReader(tokens: tokens, text: text)
        guard reader.peek() != nil else { throw .invalidParameter("Invalid order_by clause '\(text)'.") }
        let (entity, key) = try reader.readKey()
        var ascending = true
        if let next = reader.peek() {
            guard case .word(let word) = next, ["ASC", "DESC"].contains(word.uppercased()) else {
                throw .invalidParameter("Invalid order_by clause '\(text)'. Could not be parsed.")
            }
            ascending = word.uppercased() == "ASC"
            reader.advance()
        }
        guard reader.peek() == nil else {
            throw .invalidParameter("Invalid order_by clause '\(text)'. Could not be parsed.")
        }
        return OrderClause(entity: entity, key: key, ascending: ascending)
    }

    static func invalidClause(_ token: FilterToken, in text: String) -> KaizenError {
        switch token {
        case .word(let word): .invalidParameter("Invalid clause(s) in filter string: '\(word.lowercased())'")
        default: .invalidParameter("Invalid filter '\(text)'. Could not be parsed.")
        }
    }
}

/// A lexical token of the filter grammar.
enum FilterToken: Equatable {
    /// A bare word: an identifier such as `metrics.rmse`, or a keyword.
    case word(String)
    /// A backtick-quoted key part.
    case backtick(String)
    /// A single- or double-quoted string.
    case quoted(String, double: Bool)
    case number(Double)
    case op(String)
    case openParen
    case closeParen
    case comma
}

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

struct TokenReader {
    let tokens: [FilterToken]
    let text: String
    var index = 0

    init(tokens: [FilterToken], text: String) {
        self.tokens = tokens
        self.text = text
    }

    func peek() -> FilterToken? { index < tokens.count ? tokens[index] : nil }

    mutating func advance() { index += 1 }

    func invalid(_ detail: String = "Could not be parsed.") -> KaizenError {
        .invalidParameter("Invalid filter '\(text)'. \(detail)")
    }

    /// Reads `prefix.key`, `` prefix.`key` ``, `prefix."key"` or a bare attribute key.
    mutating func readKey() throws(KaizenError) -> (FilterEntity, String) {
        guard let token = peek() else { throw invalid() }
        switch token {
        case .word(let word):
            advance()
            guard let dot = word.firstIndex(of: ".") else { return (.attribute, word) }
            let prefix = String(word[..<dot])
            var key = String(word[word.index(after: dot)...])
            guard let entity = FilterEntity(prefix: prefix) else {
                throw .invalidParameter(
                    "Invalid entity type '\(prefix)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
                )
            }
            if key.isEmpty {
                switch peek() {
                case .backtick(let quoted), .quoted(let quoted, true):
                    key = quoted
                    advance()
                default:
                    throw invalid("Key is empty.")
                }
            }
            return (entity, key)
        case .backtick(let quoted), .quoted(let quoted, true):
            advance()
            return (.attribute, quoted)
        default:
            throw invalid()
        }
    }

    mutating func readClause() throws(KaizenError) -> FilterClause {
        let (entity, key) = try readKey()
        guard let opToken = peek() else { throw invalid("Expected an operator after '\(key)'.") }
        advance()
        let op: FilterOperator
        switch opToken {
        case .op(let symbol):
            guard let parsed = FilterOperator(rawValue: symbol) else { throw invalid() }
            op = parsed
        case .word(let word):
            switch word.uppercased() {
            case "LIKE": op = .like
            case "ILIKE": op = .iLike
            case "IN": op = .isIn
            case "NOT":
                guard case .word(let next) = peek(), next.uppercased() == "IN" else { throw invalid() }
                advance()
                op = .notIn
            case "IS":
                var negated = false
                if case .word(let next) = peek(), next.uppercased() == "NOT" {
                    negated = true
                    advance()
                }
                guard case .word(let null) = peek(), null.uppercased() == "NULL" else { throw invalid() }
                advance()
                return FilterClause(entity: entity, key: key, op: negated ? .isNotNull : .isNull, value: .none)
            case "OR", "AND":
                throw SearchFilter.invalidClause(opToken, in: text)
            default:
                throw invalid("Invalid operator '\(word)'.")
            }
        default:
            throw invalid()
        }
        guard let valueToken = peek() else { throw invalid("Expected a value after '\(op.rawValue)'.") }
        advance()
        switch valueToken {
        case .quoted(let string, _):
            return FilterClause(entity: entity, key: key, op: op, value: .string(string))
        case .number(let number):
            return FilterClause(entity: entity, key: key, op: op, value: .number(number))
        case .openParen:
            var items: [String] = []
            while true {
                guard let item = peek() else { throw invalid("Unclosed list.") }
                advance()
                switch item {
                case .quoted(let string, _): items.append(string)
                case .number(let number): items.append(number.formatted)
                default: throw invalid("List values must be quoted strings.")
                }
                guard let separator = peek() else { throw invalid("Unclosed list.") }
                advance()
                if separator == .closeParen { break }
                guard separator == .comma else { throw invalid("List values must be separated by commas.") }
            }
            return FilterClause(entity: entity, key: key, op: op, value: .list(items))
        case .word(let word):
            // Python and JSON spellings of a few literals, as MLflow's parser accepts them.
            if let number = Double(word) {
                return FilterClause(entity: entity, key: key, op: op, value: .number(number))
            }
            throw invalid("Expected a quoted string value, got '\(word)'.")
        default:
            throw invalid()
        }
    }
}

extension Double {
    /// The shortest text that reads back as this number, without a trailing `.0` for integers.
    var formatted: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return description
    }
}
