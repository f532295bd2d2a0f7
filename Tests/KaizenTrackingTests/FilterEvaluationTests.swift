import KaizenTracking
import Testing

struct FilterEvaluationTests {
    @Test(arguments: [
        ("model", "mod%", true), ("model", "%DEL", false), ("model", "m_del", true), ("model", "m_d", false),
        ("a%b", "a%", true), ("", "%", true), ("abc", "", false),
    ])
    func likeIsCaseSensitive(_ value: String, _ pattern: String, _ expected: Bool) {
        #expect(FilterEvaluation.likeMatches(value, pattern, caseSensitive: true) == expected)
    }

    @Test func iLikeIgnoresCase() {
        #expect(FilterEvaluation.likeMatches("MoDeL", "%del", caseSensitive: false))
    }

    @Test func missingValuesMatchOnlyIsNull() {
        let clause = FilterClause(entity: .tag, key: "t", op: .notEqual, value: .string("x"))
        #expect(FilterEvaluation.compare(nil as String?, clause) == false)
        #expect(
            FilterEvaluation.compare(nil as String?, FilterClause(entity: .tag, key: "t", op: .isNull, value: .none)))
    }
}
