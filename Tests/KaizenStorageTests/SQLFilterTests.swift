import KaizenTracking
import Testing

@testable import KaizenStorage

/// A run filter's SQL: comparisons as before, each OR in parentheses, arguments in placeholder order.
struct SQLFilterTests {
    static let a = FilterClause(entity: .metric, key: "a", op: .greater, value: .number(1))
    static let b = FilterClause(entity: .param, key: "b", op: .equal, value: .string("x"))
    static let c = FilterClause(entity: .attribute, key: "status", op: .notEqual, value: .string("y"))

    static func sql(_ clause: FilterClause) -> String { SQLFilter.runCondition(clause).0 }

    @Test func anAndOnlyFilterIsOneConditionPerComparison() throws {
        let filter = try #require(
            try SearchFilter.parseExpression("metrics.a > 1 AND params.b = 'x' AND status != 'y'"))
        let conditions = filter.conjuncts.map { SQLFilter.runCondition($0) }
        #expect(conditions.map(\.0) == [Self.sql(Self.a), Self.sql(Self.b), Self.sql(Self.c)])
        #expect(conditions.flatMap(\.1).map { "\($0)" } == ["a", "1.0", "b", "x", "y"])
    }

    @Test func onlyOrIsParenthesisedAndArgumentsKeepTheirOrder() throws {
        let filter = try #require(
            try SearchFilter.parseExpression("status != 'y' AND (metrics.a > 1 OR params.b = 'x' AND status != 'y')"))
        let conditions = filter.conjuncts.map { SQLFilter.runCondition($0) }
        #expect(
            conditions.map(\.0) == [
                Self.sql(Self.c), "(\(Self.sql(Self.a)) OR \(Self.sql(Self.b)) AND \(Self.sql(Self.c)))",
            ])
        #expect(conditions.flatMap(\.1).map { "\($0)" } == ["y", "a", "1.0", "b", "x", "y"])
    }

    @Test func groupsWithoutOperandsAreConstants() {
        #expect(SQLFilter.runCondition(FilterExpression.and([])).0 == "1")
        #expect(SQLFilter.runCondition(FilterExpression.or([])).0 == "(0)")
    }
}
