import KaizenCore
import KaizenTracking
import Testing

struct RunSearchTests {
    @Test func metricsNeedNumbers() {
        #expect(throws: KaizenError.self) {
            try RunSearch(experimentIDs: ["1"], filter: "metrics.a = 'x'", orderBy: [])
        }
    }

    @Test func paramsNeedStrings() {
        #expect(throws: KaizenError.self) { try RunSearch(experimentIDs: ["1"], filter: "params.a = 1", orderBy: []) }
    }

    @Test func createdIsStartTime() throws {
        let search = try RunSearch(experimentIDs: ["1"], filter: "created > 5", orderBy: ["attributes.created DESC"])
        #expect(
            search.filter
                == .clause(FilterClause(entity: .attribute, key: "start_time", op: .greater, value: .number(5))))
        #expect(search.order[0].key == "start_time")
    }

    @Test func everyComparisonOfAnOrIsValidatedAndCanonical() throws {
        #expect(throws: KaizenError.self) {
            try RunSearch(experimentIDs: ["1"], filter: "metrics.a > 1 OR (params.b = 1 AND tags.c = 'x')", orderBy: [])
        }
        let search = try RunSearch(
            experimentIDs: ["1"], filter: "(created > 5 OR name = 'x') AND attributes.run_uuid IN ('r')", orderBy: [])
        #expect(search.filter?.clauses.map(\.key) == ["start_time", "run_name", "run_id"])
        #expect(search.filter?.conjuncts.count == 2)
    }

    @Test func anEmptyFilterIsNone() throws {
        #expect(try RunSearch(experimentIDs: ["1"], filter: " ", orderBy: []).filter == nil)
        #expect(try RunSearch(experimentIDs: ["1"], filter: nil, orderBy: []).filter == nil)
    }

    @Test func inIsOnlyForRunIDAmongAttributes() {
        #expect(throws: KaizenError.self) {
            try RunSearch(experimentIDs: ["1"], filter: "status IN ('RUNNING')", orderBy: [])
        }
    }

    @Test func maxResultsIsBounded() throws {
        #expect(throws: KaizenError.self) {
            try RunSearch(experimentIDs: ["1"], filter: nil, orderBy: [], maxResults: 50_001)
        }
        #expect(try RunSearch(experimentIDs: ["1"], filter: nil, orderBy: [], maxResults: 50_000).maxResults == 50_000)
    }

    @Test func duplicateOrderFieldsAreRefused() {
        #expect(throws: KaizenError.self) {
            try RunSearch(experimentIDs: ["1"], filter: nil, orderBy: ["metrics.a", "metrics.a DESC"])
        }
    }
}
