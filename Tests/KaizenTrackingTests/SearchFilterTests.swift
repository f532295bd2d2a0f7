import KaizenCore
import KaizenTracking
import Testing

struct SearchFilterTests {
    @Test func parsesClausesJoinedByAnd() throws {
        let clauses = try SearchFilter.parse(
            "metrics.rmse < 1e-3 and params.alpha = '0.5' AND tags.`mlflow.runName` LIKE 'a%' and status != \"X\"")
        #expect(
            clauses == [
                FilterClause(entity: .metric, key: "rmse", op: .less, value: .number(0.001)),
                FilterClause(entity: .param, key: "alpha", op: .equal, value: .string("0.5")),
                FilterClause(entity: .tag, key: "mlflow.runName", op: .like, value: .string("a%")),
                FilterClause(entity: .attribute, key: "status", op: .notEqual, value: .string("X")),
            ])
    }

    @Test func parsesPrefixAliasesAndQuotedKeys() throws {
        let clauses = try SearchFilter.parse(
            #"metric.a >= 1 and parameter."my key" != 'v' and attr.run_id IN ('a', 'b')"#)
        #expect(clauses[0].entity == .metric)
        #expect(clauses[1] == FilterClause(entity: .param, key: "my key", op: .notEqual, value: .string("v")))
        #expect(clauses[2] == FilterClause(entity: .attribute, key: "run_id", op: .isIn, value: .list(["a", "b"])))
    }

    @Test func parsesNullChecksAndNotIn() throws {
        let clauses = try SearchFilter.parse("tags.t IS NULL and params.p IS NOT NULL and datasets.name NOT IN ('x')")
        #expect(clauses.map(\.op) == [.isNull, .isNotNull, .notIn])
    }

    @Test func keysWithDotsKeepTheRestOfTheName() throws {
        let clauses = try SearchFilter.parse("metrics.val.loss < 2")
        #expect(clauses[0].key == "val.loss")
    }

    @Test func refusesOrWithMLflowsMessage() {
        #expect(throws: KaizenError.invalidParameter("Invalid clause(s) in filter string: 'or'")) {
            try SearchFilter.parse("metrics.a > 1 or metrics.b < 2")
        }
    }

    @Test(arguments: ["metrics.a >", "params.p = ", "x.y = 1", "metrics.a = 'unterminated", "and", "metrics.a ~ 1"])
    func refusesMalformedFilters(_ filter: String) {
        #expect(throws: KaizenError.self) { try SearchFilter.parse(filter) }
    }

    @Test func parsesOrderClauses() throws {
        #expect(
            try SearchFilter.parseOrder("metrics.rmse DESC")
                == OrderClause(entity: .metric, key: "rmse", ascending: false))
        #expect(try SearchFilter.parseOrder("tags.`a b`") == OrderClause(entity: .tag, key: "a b", ascending: true))
        #expect(
            try SearchFilter.parseOrder("start_time asc")
                == OrderClause(entity: .attribute, key: "start_time", ascending: true))
        #expect(throws: KaizenError.self) { try SearchFilter.parseOrder("metrics.rmse sideways") }
    }
}
