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
        #expect(search.clauses[0].key == "start_time")
        #expect(search.order[0].key == "start_time")
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
