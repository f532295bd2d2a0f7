/// A filter as a tree: comparisons combined with `AND` and `OR`.
///
/// Run searches accept it as Kaizen's extension of MLflow's grammar, which joins comparisons with `AND`
/// only. `SearchFilter.parseExpression` never puts an operator directly inside the same operator and never
/// makes a group of fewer than two operands: `a AND (b AND c)` is one `.and` of three clauses, `(a)` is `a`.
public enum FilterExpression: Sendable, Equatable {
    /// One comparison.
    case clause(FilterClause)
    /// True when every operand is; no operand is true.
    case and([FilterExpression])
    /// True when any operand is; no operand is false.
    case or([FilterExpression])

    /// The comparisons of the expression, left to right.
    public var clauses: [FilterClause] {
        switch self {
        case .clause(let clause): [clause]
        case .and(let operands), .or(let operands): operands.flatMap(\.clauses)
        }
    }

    /// The operands of a top-level `AND`, or the expression itself: the conditions a store ANDs with its own,
    /// so that an `AND`-only filter is the list of its comparisons.
    public var conjuncts: [FilterExpression] {
        if case .and(let operands) = self { return operands }
        return [self]
    }

    /// The expression with `transform` applied to every comparison, the shape unchanged.
    public func mapClauses<Failure: Error>(
        _ transform: (FilterClause) throws(Failure) -> FilterClause
    ) throws(Failure) -> FilterExpression {
        switch self {
        case .clause(let clause):
            return .clause(try transform(clause))
        case .and(let operands):
            return .and(try operands.map { operand throws(Failure) in try operand.mapClauses(transform) })
        case .or(let operands):
            return .or(try operands.map { operand throws(Failure) in try operand.mapClauses(transform) })
        }
    }
}
