import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// `/invocations` bodies are read, and refused, as MLflow reads them.
struct ScoringRequestTests {
    @Test func requestShapesAreRefusedAsMLflowRefusesThem() {
        func code(_ body: String) -> String? {
            do {
                _ = try ScoringRequest.parseJSON(Array(body.utf8))
                return nil
            } catch { return "\(error.code) \(error.message.prefix(60))" }
        }
        #expect(code("[1, 2]")?.hasPrefix("BAD_REQUEST Invalid input. The input must be a JSON dictionary") == true)
        #expect(code("\"abc\"")?.hasPrefix("BAD_REQUEST Invalid input.") == true)
        #expect(code("{}")?.hasPrefix("BAD_REQUEST The input must be a JSON dictionary") == true)
        #expect(code("{\"inputs\": [[1]], \"instances\": [[1]]}")?.hasPrefix("BAD_REQUEST The input must") == true)
        #expect(code("{\"inputs\": [[1]], \"params\": {\"a\": 1}}") == nil)
        #expect(code("{not json")?.hasPrefix("BAD_REQUEST Invalid input. Ensure that input is a valid JSON") == true)
        #expect(
            code("{\"dataframe_split\": {\"columns\": [\"a\", \"b\"], \"data\": [[1]]}}")?.contains("dataframe_split")
                == true)
        #expect(
            code("{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": 5}}")?.hasPrefix("BAD_REQUEST Invalid input.")
                == true)
    }
}
