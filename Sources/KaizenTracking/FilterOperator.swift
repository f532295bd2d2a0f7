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
