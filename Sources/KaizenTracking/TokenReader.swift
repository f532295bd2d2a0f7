import KaizenCore

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
