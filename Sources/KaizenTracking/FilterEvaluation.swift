/// Evaluates one filter clause against an in-memory value, with the SQL semantics the stores use.
public enum FilterEvaluation {
    /// A numeric comparison; NaN satisfies only `!=`.
    public static func compare(_ value: Double, _ clause: FilterClause) -> Bool {
        guard let target = clause.numberValue ?? clause.stringValue.flatMap(Double.init) else { return false }
        switch clause.op {
        case .equal: return value == target
        case .notEqual: return value != target
        case .less: return value < target
        case .lessOrEqual: return value <= target
        case .greater: return value > target
        case .greaterOrEqual: return value >= target
        default: return false
        }
    }

    /// A string comparison; a missing value satisfies only `IS NULL`.
    public static func compare(_ value: String?, _ clause: FilterClause) -> Bool {
        switch clause.op {
        case .isNull: return value == nil
        case .isNotNull: return value != nil
        default: break
        }
        guard let value else { return false }
        switch (clause.op, clause.value) {
        case (.equal, .string(let target)): return value == target
        case (.notEqual, .string(let target)): return value != target
        case (.like, .string(let pattern)): return likeMatches(value, pattern, caseSensitive: true)
        case (.iLike, .string(let pattern)): return likeMatches(value, pattern, caseSensitive: false)
        case (.isIn, .list(let items)): return items.contains(value)
        case (.notIn, .list(let items)): return !items.contains(value)
        default: return false
        }
    }

    /// SQL `LIKE`: `%` matches any run of characters, `_` any one character.
    public static func likeMatches(_ value: String, _ pattern: String, caseSensitive: Bool) -> Bool {
        let text = Array(caseSensitive ? value : value.lowercased())
        let pattern = Array(caseSensitive ? pattern : pattern.lowercased())
        var t = 0
        var p = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "%" {
                starP = p
                starT = t
                p += 1
            } else if p < pattern.count, pattern[p] == "_" || pattern[p] == text[t] {
                t += 1
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "%" { p += 1 }
        return p == pattern.count
    }
}
