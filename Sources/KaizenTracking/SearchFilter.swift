public import KaizenCore

/// The parser of MLflow's search grammar: comparisons joined by `AND`, keys optionally quoted.
public enum SearchFilter {
    /// Parses a filter string into clauses; an empty or blank string is no filter.
    ///
    /// This is MLflow's grammar, which refuses `OR`; run searches use `parseExpression`.
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

    /// Parses a run filter, Kaizen's extension of the grammar: comparisons joined by `AND` and `OR`, grouped
    /// by parentheses, `AND` binding tighter than `OR`; nil for an empty or blank string.
    ///
    /// Groups nest at most 10 deep. An `AND`-only filter gives the clauses `parse` gives, as one `.and` (or a
    /// single `.clause`).
    public static func parseExpression(_ text: String) throws(KaizenError) -> FilterExpression? {
        let tokens = try FilterTokenizer.tokenize(text)
        guard !tokens.isEmpty else { return nil }
        var reader = TokenReader(tokens: tokens, text: text)
        let expression = try reader.readDisjunction(depth: 0)
        if let next = reader.peek() { throw reader.unexpected(next) }
        return expression
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
