import KaizenCore
import KaizenRegistry
import Testing

struct ModelVersionSearchTests {
    @Test func refusesStageFilters() {
        #expect(throws: KaizenError.self) {
            try ModelVersionSearch(filter: "current_stage = 'Production'", orderBy: [], maxResults: nil, pageToken: nil)
        }
    }
}
