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

    /// The table the full parser reads from a body, for comparison with the numeric fast path.
    static func fullFrame(_ body: String) throws -> DataFrame? {
        guard case .frame(let frame) = try ScoringRequest.input(of: JSONValue(parsing: body)) else { return nil }
        return frame
    }

    /// A `dataframe_split` body of numbers is read into a buffer that stands for exactly the table the full parser
    /// gives: the same names, the same cells, integers kept as integers.
    @Test func numericBodiesGiveTheFullParsersTable() throws {
        let bodies = [
            #"{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2.5], [-0.0, 1e-3]]}}"#,
            #"{"dataframe_split":{"data":[[1E+2,-7],[3.25,9007199254740992]],"columns":["x","y"]}}"#,
            " {\n \"dataframe_split\" : { \"columns\" : [ \"é\\u00e9\" ] , \"data\" : [ [ 0.1 ] ] } } \n",
            #"{"dataframe_split": {"columns": ["a"], "data": [[-Infinity], [123456789.123456789]]}}"#,
            #"{"dataframe_split": {"columns": [], "data": [[], []]}}"#,
        ]
        for body in bodies {
            guard case .numericFrame(let fast)? = ScoringRequest.numericInput(Array(body.utf8)) else {
                Issue.record("not read as numbers: \(body)")
                continue
            }
            let full = try #require(try Self.fullFrame(body))
            #expect(fast.names == full.names, "\(body)")
            #expect(fast.rowCount == full.rowCount, "\(body)")
            let rebuilt = fast.dataFrame.cells
            #expect(rebuilt.count == full.cells.count)
            for (mine, theirs) in zip(rebuilt, full.cells) {
                #expect(mine == theirs && mine.jsonText == theirs.jsonText, "\(body): \(mine) vs \(theirs)")
            }
            guard case .numericFrame = try ScoringRequest.parseJSON(Array(body.utf8)) else {
                Issue.record("not read as numbers: \(body)")
                continue
            }
        }
    }

    /// `inputs` or `instances` as a list of lists of numbers is read into a buffer that stands for the same list.
    @Test func numericListsGiveTheFullParsersList() throws {
        for body in [#"{"inputs": [[1, 2.5], [-3e2, 0.125]]}"#, #"{ "instances" : [ [ 7 ] ] }"#] {
            guard case .numericTensor(let rows)? = ScoringRequest.numericInput(Array(body.utf8)) else {
                Issue.record("not read as numbers: \(body)")
                continue
            }
            let document = try JSONValue(parsing: body)
            let full = document["inputs"] ?? document["instances"]
            #expect(rows.nestedList == full && rows.nestedList.jsonText == full?.jsonText, "\(body)")
        }
    }

    /// Anything but a plain table of numbers goes to the full parser, which answers or refuses it as before.
    @Test func otherBodiesTakeTheFullPath() {
        let bodies = [
            #"{"dataframe_split": {"columns": ["a"], "data": [["1"]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[null]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[NaN]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[Infinity]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[true]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[9007199254740993]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1]], "index": [0]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1]]}, "params": {}}"#,
            #"{"params": {}, "dataframe_split": {"columns": ["a"], "data": [[1]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "columns": ["b"], "data": [[1]]}}"#,
            #"{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3]]}}"#,
            #"{"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [1, 2]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": []}}"#,
            #"{"dataframe_split": {"data": [[1]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[01]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1.]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1,]]}}"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1]]}} x"#,
            #"{"dataframe_split": {"columns": ["a"], "data": [[1]]}"#,
            #"{"dataframe_split": {"columns": [1], "data": [[1]]}}"#,
            #"{"dataframe_records": [{"a": 1}]}"#,
            #"{"inputs": [[1, 2], [3]]}"#,
            #"{"inputs": [1, 2]}"#,
            #"{"inputs": [[[1]]]}"#,
            #"{"inputs": []}"#,
            #"{"inputs": {"x": [[1]]}}"#,
            #"{"inputs": [[1]], "params": {}}"#,
            #"{"instances": [["a"]]}"#,
            "{\"dataframe_split\": {\"columns\": [\"\u{1}\"], \"data\": [[1]]}}",
        ]
        for body in bodies {
            #expect(ScoringRequest.numericInput(Array(body.utf8)) == nil, "\(body)")
        }
        var invalidUTF8 = Array(#"{"dataframe_split": {"columns": ["?"], "data": [[1]]}}"#.utf8)
        invalidUTF8[invalidUTF8.firstIndex(of: UInt8(ascii: "?"))!] = 0xFF
        #expect(ScoringRequest.numericInput(invalidUTF8) == nil)
    }
}
