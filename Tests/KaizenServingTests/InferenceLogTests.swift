import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// The inference log's queue (sampling, rate cap, row capacity) and its JSON lines, on a converted random forest.
@Suite(.enabled(if: ServingFixtures.available, ServingFixtures.missing))
struct InferenceLogTests {
    static let body = ScoringServiceTests.splitBody(ScoringServiceTests.columns, ScoringServiceTests.rows)

    static func scored() async throws -> (ScoringInput, Prediction) {
        let model = try ServingFixtures.regressor(signature: ScoringServiceTests.signature)
        let input = try ScoringRequest.parseJSON(Array(body.utf8))
        return (input, try await ScoringService(model: model).predict(input))
    }

    @Test func queueHoldsWholeRequestsUpToItsRowsAndCountsTheRest() async throws {
        let (input, prediction) = try await Self.scored()
        // Two rows per request: a capacity of 5 rows holds two requests.
        let log = InferenceLog(settings: .init(sampleRate: 1, rateCap: 0, capacity: 5))
        for index in 0..<4 { log.offer(requestID: "r\(index)", input: input, prediction: prediction, time: 1000) }
        #expect(log.waiting == (2, 4))
        #expect(log.counts == InferenceLog.Counts(queued: 2, sampledOut: 0, capped: 0, dropped: 2))
        let (entries, dropped) = log.take()
        #expect(entries.map(\.requestID) == ["r0", "r1"])
        #expect(dropped == 2)
        #expect(log.waiting == (0, 0))
        #expect(log.take().dropped == 0)
    }

    /// A refusal is one line with its reason (cut to 200 bytes) and the version that refused it, and takes one row
    /// of the queue.
    @Test func refusalsAreOneLineWithTheirReason() throws {
        let log = InferenceLog(settings: .init(sampleRate: 1, rateCap: 0, capacity: 2))
        log.offerRefusal(
            requestID: "bad\"1", reason: "Missing column 'x' \u{e9}" + String(repeating: "y", count: 400),
            version: "3", time: 7)
        log.offerRefusal(requestID: "bad2", reason: "Bad JSON", version: nil, time: 8)
        log.offerRefusal(requestID: "bad3", reason: "Bad JSON", version: nil, time: 9)
        #expect(log.counts.queued == 2 && log.counts.dropped == 1)
        var lines: [UInt8] = []
        for entry in log.take().entries { entry.appendLines(to: &lines) }
        let parsed = try String(decoding: lines, as: UTF8.self).split(separator: "\n").map {
            try JSONValue(parsing: String($0))
        }
        #expect(parsed.count == 2)
        #expect(parsed[0]["kaizen.request_id"]?.stringValue == "bad\"1")
        #expect(parsed[0]["kaizen.version"]?.stringValue == "3" && parsed[1]["kaizen.version"] == .null)
        #expect(parsed[0]["kaizen.refused"]?.stringValue?.hasPrefix("Missing column 'x' \u{e9}yyy") == true)
        #expect(parsed[0]["kaizen.refused"]?.stringValue?.utf8.count ?? 0 <= InferenceLog.maximumReasonBytes)
        #expect(parsed[1]["kaizen.refused"]?.stringValue == "Bad JSON" && parsed[1]["kaizen.time"]?.int64Value == 8)
    }

    @Test func rateCapAllowsSoManyPerSecond() async throws {
        let (input, prediction) = try await Self.scored()
        let log = InferenceLog(settings: .init(sampleRate: 1, rateCap: 3, capacity: 1000))
        for time: Int64 in [1000, 1100, 1200, 1300, 1999, 2000, 2001] {
            log.offer(requestID: "r", input: input, prediction: prediction, time: time)
        }
        #expect(log.counts.queued == 5)
        #expect(log.counts.capped == 2)
    }

    @Test func samplingKeepsAboutItsShare() async throws {
        let (input, prediction) = try await Self.scored()
        let log = InferenceLog(settings: .init(sampleRate: 0.25, rateCap: 0, capacity: 1 << 20), seed: 42)
        for _ in 0..<4000 { log.offer(requestID: "r", input: input, prediction: prediction, time: 1000) }
        let counts = log.counts
        #expect(counts.queued + counts.sampledOut == 4000)
        // Binomial(4000, 0.25): mean 1000, sd 27; 6 sd either side.
        #expect((840...1160).contains(counts.queued))
        let none = InferenceLog(settings: .init(sampleRate: 0, rateCap: 0, capacity: 10))
        #expect(!none.offer(requestID: "r", input: input, prediction: prediction))
    }

    @Test func linesHoldOneFlatRowEachWithInputsOutputsAndIdentity() async throws {
        let (input, prediction) = try await Self.scored()
        let entry = InferenceLog.Entry(
            requestID: "abc \"1\"", time: 1_764_806_400_123, input: input, prediction: prediction)
        var output: [UInt8] = []
        entry.appendLines(to: &output)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let expected = try JSONValue(parsing: Array(prediction.json()))["predictions"]!.arrayValue!
        for (row, line) in lines.enumerated() {
            let value = try JSONValue(parsing: Array(line.utf8))
            #expect(value["kaizen.request_id"] == .string("abc \"1\""))
            #expect(value["kaizen.row"] == .integer(Int64(row)))
            #expect(value["kaizen.time"] == .integer(1_764_806_400_123))
            #expect(value["kaizen.version"] == .string("3"))
            for (column, name) in ScoringServiceTests.columns.enumerated() {
                #expect(value[name]?.doubleValue == ScoringServiceTests.rows[row][column])
            }
            #expect(value["output.variable"]?.doubleValue == expected[row]["variable"]?.doubleValue)
        }
    }

    /// An Open Inference Protocol request is logged as the same flat lines: the input tensor's columns under the
    /// signature's names, its floats with the digits the client sent (5.1, not the double nearest the float).
    @Test func inferRequestsAreLoggedAsColumns() async throws {
        let model = try ServingFixtures.regressor(signature: ScoringServiceTests.signature)
        let data: [JSONValue] = ScoringServiceTests.rows.flatMap { $0.map(JSONValue.double) }
        let header = JSONValue.object([
            (
                "inputs",
                .array([
                    .object([
                        ("name", "X"), ("shape", [2, 10]), ("datatype", "FP32"), ("data", .array(data)),
                    ])
                ])
            )
        ])
        let response = try await ScoringService(model: model).infer(header, name: "rf_reg", version: nil)
        #expect(response.feeds.map(\.0) == ["X"])
        var output: [UInt8] = []
        InferenceLog.Entry(requestID: "v2", time: 9, feeds: response.feeds, prediction: response.prediction)
            .appendLines(to: &output)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains(#""f0": 0.1, "f1": -0.2"#))
        let lines = try text.split(separator: "\n").map { try JSONValue(parsing: Array($0.utf8)) }
        #expect(lines.count == 2)
        let answered = try #require(response.header["outputs"]?.arrayValue?.first?["data"]?.arrayValue)
        for (row, line) in lines.enumerated() {
            #expect(line["kaizen.request_id"] == "v2" && line["kaizen.row"] == .integer(Int64(row)))
            #expect(line["kaizen.version"] == "3")
            for (column, name) in ScoringServiceTests.columns.enumerated() {
                #expect(line[name]?.doubleValue == Double(Float(ScoringServiceTests.rows[row][column]).description))
            }
            #expect(line["output.variable"]?.doubleValue == answered[row].doubleValue)
        }
        // Several inputs, each one value per row, keep their own names; a wider one gets `<name>_<i>`.
        var encoder = PredictionEncoder()
        let wide = try Tensor(shape: [1, 2], storage: .int64([4, 5]))
        OutputColumns(input: "ids", wide, rows: 1, names: nil).write(0, into: &encoder)
        OutputColumns(input: "flag", try Tensor(shape: [1], storage: .bool([true])), rows: 1, names: nil)
            .write(0, into: &encoder)
        #expect(String(decoding: encoder.output, as: UTF8.self) == #", "ids_0": 4, "ids_1": 5, "flag": true"#)
    }

    @Test func tensorRowsGetColumnNamesAndNestedCellsBecomeText() async throws {
        let model = try ServingFixtures.regressor()
        let input = try ScoringRequest.parseJSON(Array(#"{"inputs": [[1, 2.5, 3, 4, 5, 6, 7, 8, 9, 10]]}"#.utf8))
        let prediction = try await ScoringService(model: model).predict(input)
        var output: [UInt8] = []
        InferenceLog.Entry(requestID: "t", time: 5, input: input, prediction: prediction).appendLines(to: &output)
        let value = try JSONValue(parsing: output.dropLast())
        #expect(value["X_0"] == .integer(1))
        #expect(value["X_1"] == .double(2.5))
        #expect(value["X_9"] == .integer(10))
        let frame = ScoringInput.frame(DataFrame(names: ["a", "b"], cells: [.array([1, 2]), "x"], rowCount: 1))
        var encoder = PredictionEncoder()
        InputColumns(frame, model: model).write(0, into: &encoder)
        #expect(String(decoding: encoder.output, as: UTF8.self) == #", "a": "[1,2]", "b": "x""#)
    }
}
