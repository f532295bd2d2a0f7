import KaizenCore

/// Comparisons joined by `AND` and `OR`, grouped by parentheses; `AND` binds tighter than `OR`.
///
/// A `(` where a comparison may start opens a group; the `(` of an `IN` list comes after an operator and is
/// read by `readClause`, so the two never meet.
extension TokenReader {
    /// How deep groups may nest: more than a person writes, a bound on the recursion, and within what SQLite's
    /// parser takes (3.40 refuses a run filter's SQL nested about 16 deep).
    static let maximumDepth = 10

    /// Reads operands joined by `OR`, up to the end of the text or the `)` closing the current group.
    mutating func readDisjunction(depth: Int) throws(KaizenError) -> FilterExpression {
        var operands = [try readConjunction(depth: depth)]
        while isKeyword("OR") {
            advance()
            try expectOperand(after: "OR")
            operands.append(try readConjunction(depth: depth))
        }
        return Self.joined(operands, byOr: true)
    }

    mutating func readConjunction(depth: Int) throws(KaizenError) -> FilterExpression {
        var operands = [try readOperand(depth: depth)]
        while isKeyword("AND") {
            advance()
            try expectOperand(after: "AND")
            operands.append(try readOperand(depth: depth))
        }
        return Self.joined(operands, byOr: false)
    }

    /// Reads a comparison or a parenthesised group.
    mutating func readOperand(depth: Int) throws(KaizenError) -> FilterExpression {
        if case .word(let word) = peek(), ["AND", "OR"].contains(word.uppercased()) {
            throw invalid("Expected a comparison before \(word.uppercased()).")
        }
        guard peek() == .openParen else { return .clause(try readClause()) }
        guard depth < Self.maximumDepth else {
            throw invalid("Parentheses are nested more than \(Self.maximumDepth) deep.")
        }
        advance()
        if peek() == .closeParen { throw invalid("Empty parentheses.") }
        let group = try readDisjunction(depth: depth + 1)
        switch peek() {
        case .closeParen: advance()
        case nil: throw invalid("Unbalanced parentheses: a '(' is not closed.")
        case let token?: throw unexpected(token)
        }
        return group
    }

    /// Refuses an `AND` or `OR` with nothing after it, at the end of the text or of a group.
    func expectOperand(after keyword: String) throws(KaizenError) {
        guard let next = peek(), next != .closeParen else { throw invalid("Trailing \(keyword).") }
    }

    func isKeyword(_ keyword: String) -> Bool {
        guard case .word(let word) = peek() else { return false }
        return word.uppercased() == keyword
    }

    /// The error for a token where only `AND`, `OR` or the end of a group may follow a comparison.
    func unexpected(_ token: FilterToken) -> KaizenError {
        switch token {
        case .openParen: invalid("Expected AND or OR before '('.")
        case .closeParen: invalid("Unbalanced parentheses: a ')' has no '('.")
        default: SearchFilter.invalidClause(token, in: text)
        }
    }

    /// One operand as itself; several joined by `OR` or `AND`, with operands of the same kind spliced in.
    static func joined(_ operands: [FilterExpression], byOr: Bool) -> FilterExpression {
        if operands.count == 1 { return operands[0] }
        let flat = operands.flatMap { operand -> [FilterExpression] in
            switch operand {
            case .or(let inner) where byOr: inner
            case .and(let inner) where !byOr: inner
            default: [operand]
            }
        }
        return byOr ? .or(flat) : .and(flat)
    }
}
