import KaizenCore
import KaizenRegistry
import Testing

struct RegisteredModelSearchTests {
    @Test func filtersHidePrompts() throws {
        let search = try RegisteredModelSearch(
            filter: "tag.`mlflow.prompt.is_prompt` != 'true' AND name LIKE 'm%'", orderBy: ["timestamp DESC"],
            maxResults: nil, pageToken: nil)
        #expect(!search.wantsPrompts)
        #expect(search.clauses.count == 1)
        #expect(search.order.map(\.0) == ["last_updated_timestamp", "name"])
        #expect(throws: KaizenError.self) {
            try RegisteredModelSearch(filter: nil, orderBy: ["creation_timestamp"], maxResults: nil, pageToken: nil)
        }
    }
}
