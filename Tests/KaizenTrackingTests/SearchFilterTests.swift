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

    @Test func refusesParenthesesWhereOnlyAndIsAccepted() {
        #expect(throws: KaizenError.invalidParameter("Invalid filter '(metrics.a > 1)'. Could not be parsed.")) {
            try SearchFilter.parse("(metrics.a > 1)")
        }
    }

    static let a = FilterClause(entity: .metric, key: "a", op: .greater, value: .number(1))
    static let b = FilterClause(entity: .param, key: "b", op: .equal, value: .string("x"))
    static let c = FilterClause(entity: .tag, key: "c", op: .notEqual, value: .string("y"))
    static let d = FilterClause(entity: .attribute, key: "status", op: .equal, value: .string("FAILED"))

    @Test func andBindsTighterThanOr() throws {
        #expect(
            try SearchFilter.parseExpression("metrics.a > 1 OR params.b = 'x' and tags.c != 'y'")
                == .or([.clause(Self.a), .and([.clause(Self.b), .clause(Self.c)])]))
        #expect(
            try SearchFilter.parseExpression("metrics.a > 1 AND params.b = 'x' or tags.c != 'y'")
                == .or([.and([.clause(Self.a), .clause(Self.b)]), .clause(Self.c)]))
    }

    @Test func parenthesesGroup() throws {
        #expect(
            try SearchFilter.parseExpression("(metrics.a > 1 Or params.b = 'x') AND tags.c != 'y'")
                == .and([.or([.clause(Self.a), .clause(Self.b)]), .clause(Self.c)]))
        #expect(
            try SearchFilter.parseExpression("((metrics.a > 1)or(params.b='x'))and(tags.c!='y'or status='FAILED')")
                == .and([.or([.clause(Self.a), .clause(Self.b)]), .or([.clause(Self.c), .clause(Self.d)])]))
    }

    @Test func nestedGroupsOfOneKindAreFlattened() throws {
        #expect(
            try SearchFilter.parseExpression(
                "metrics.a > 1 AND (params.b = 'x' AND (tags.c != 'y' OR (status = 'FAILED')))")
                == .and([.clause(Self.a), .clause(Self.b), .or([.clause(Self.c), .clause(Self.d)])]))
        #expect(
            try SearchFilter.parseExpression(
                "(metrics.a > 1 OR (params.b = 'x' OR tags.c != 'y')) OR status = 'FAILED'")
                == .or([.clause(Self.a), .clause(Self.b), .clause(Self.c), .clause(Self.d)]))
        #expect(try SearchFilter.parseExpression("(((metrics.a > 1)))") == .clause(Self.a))
    }

    @Test func inListsAndQuotedKeysInsideGroups() throws {
        let expression = try SearchFilter.parseExpression(
            #"(attributes.run_id IN ('a', 'b') OR tags.`mlflow.runName` = 'r') AND (params."my key" NOT IN ('v') OR datasets.name IN ('d'))"#
        )
        #expect(
            expression
                == .and([
                    .or([
                        .clause(FilterClause(entity: .attribute, key: "run_id", op: .isIn, value: .list(["a", "b"]))),
                        .clause(FilterClause(entity: .tag, key: "mlflow.runName", op: .equal, value: .string("r"))),
                    ]),
                    .or([
                        .clause(FilterClause(entity: .param, key: "my key", op: .notIn, value: .list(["v"]))),
                        .clause(FilterClause(entity: .dataset, key: "name", op: .isIn, value: .list(["d"]))),
                    ]),
                ]))
    }

    @Test(arguments: [
        "metrics.rmse < 1e-3 and params.alpha = '0.5' AND tags.`mlflow.runName` LIKE 'a%'",
        "attr.run_id IN ('a', 'b') and tags.t IS NULL", "metrics.val.loss < 2",
    ])
    func andOnlyFiltersGiveTheClausesOfParse(_ filter: String) throws {
        let expression = try #require(try SearchFilter.parseExpression(filter))
        #expect(expression.clauses == (try SearchFilter.parse(filter)))
        #expect(expression.conjuncts == (try SearchFilter.parse(filter)).map(FilterExpression.clause))
    }

    @Test func blankFiltersAreNoExpression() throws {
        #expect(try SearchFilter.parseExpression("") == nil)
        #expect(try SearchFilter.parseExpression("  \n") == nil)
    }

    @Test(arguments: [
        ("(metrics.a > 1", "Unbalanced parentheses: a '(' is not closed."),
        ("((metrics.a > 1) OR params.b = 'x'", "Unbalanced parentheses: a '(' is not closed."),
        ("metrics.a > 1)", "Unbalanced parentheses: a ')' has no '('."),
        ("(metrics.a > 1)) AND params.b = 'x'", "Unbalanced parentheses: a ')' has no '('."),
        ("metrics.a > 1 OR", "Trailing OR."),
        ("metrics.a > 1 and", "Trailing AND."),
        ("(metrics.a > 1 OR) AND params.b = 'x'", "Trailing OR."),
        ("()", "Empty parentheses."),
        ("metrics.a > 1 AND ()", "Empty parentheses."),
        ("OR metrics.a > 1", "Expected a comparison before OR."),
        ("metrics.a > 1 AND or params.b = 'x'", "Expected a comparison before OR."),
        ("(metrics.a > 1) (params.b = 'x')", "Expected AND or OR before '('."),
        ("metrics.a IN ('x' OR params.b = 'x')", "List values must be separated by commas."),
    ])
    func refusesMalformedExpressions(_ filter: String, _ detail: String) {
        #expect(throws: KaizenError.invalidParameter("Invalid filter '\(filter)'. \(detail)")) {
            try SearchFilter.parseExpression(filter)
        }
    }

    @Test func comparisonsNeedAJoiningWord() {
        #expect(throws: KaizenError.invalidParameter("Invalid clause(s) in filter string: 'params.b'")) {
            try SearchFilter.parseExpression("metrics.a > 1 params.b = 'x'")
        }
    }

    @Test func nestingIsCapped() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "(", count: depth) + "metrics.a > 1" + String(repeating: ")", count: depth)
        }
        #expect(try SearchFilter.parseExpression(nested(10)) == .clause(Self.a))
        let refused = KaizenError.invalidParameter(
            "Invalid filter '\(nested(11))'. Parentheses are nested more than 10 deep.")
        #expect(throws: refused) { try SearchFilter.parseExpression(nested(11)) }
        // Hostile input is refused at the cap, not by running out of stack.
        #expect(throws: KaizenError.self) { try SearchFilter.parseExpression(nested(100_000)) }
        #expect(throws: KaizenError.self) {
            try SearchFilter.parseExpression(String(repeating: "(metrics.a > 1 OR ", count: 100_000))
        }
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
