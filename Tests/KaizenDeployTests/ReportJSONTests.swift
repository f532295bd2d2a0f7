import KaizenCore
import Testing

@testable import KaizenDeploy

struct ReportJSONTests {
    static let sample = """
        {"replica_id": "host-a-5f3c", "endpoint": "fraud", "sequence": 42,
         "window_start": 1733300000000, "window_end": 1733300005000, "agent": "kaizen 0.9",
         "versions": {
           "3": {"requests": 120, "client_errors": 1, "server_errors": 2,
                 "latency": [0, 10, 50, 40, 15, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0],
                 "classes": {"0": 100, "1": 20}, "bins": [], "shadow_compared": 0, "shadow_agreed": 0},
           "4": {"requests": 120, "shadow_compared": 118, "shadow_agreed": 117}
         }}
        """

    @Test func theWireShapeReadsAndRoundTrips() throws {
        let report = try ReplicaReport(parsing: Array(Self.sample.utf8))
        #expect(report.replicaID == "host-a-5f3c")
        #expect(report.endpoint == "fraud")
        #expect(report.sequence == 42)
        #expect(report.windowStart == 1_733_300_000_000)
        #expect(report.windowEnd == 1_733_300_005_000)
        let stable = try #require(report.versions[3])
        #expect(stable.requests == 120)
        #expect(stable.clientErrors == 1 && stable.serverErrors == 2)
        #expect(stable.latency[2] == 50)
        #expect(stable.predictions.classes == ["0": 100, "1": 20])
        let shadow = try #require(report.versions[4])
        #expect(shadow.latency == [UInt64](repeating: 0, count: VersionStats.latencyBounds.count + 1))
        #expect(shadow.shadowAgreed == 117)
        #expect(try ReplicaReport(json: JSONValue(parsing: report.json.jsonText)) == report)
        #expect(report.json["versions"]?.objectFields?.map(\.0) == ["3", "4"])
    }

    @Test func binsRoundTrip() throws {
        let stats = VersionStats(
            requests: 9, predictions: PredictionSketch(bins: (0..<42).map { UInt64($0 % 3) }))
        #expect(try VersionStats(json: JSONValue(parsing: stats.json.jsonText)) == stats)
    }

    @Test func malformedReportsAreRefusedWithTheField() throws {
        let good = try JSONValue(parsing: Self.sample)
        func with(_ key: String, _ value: JSONValue?) -> JSONValue {
            var fields = good.objectFields ?? []
            fields.removeAll { $0.0 == key }
            if let value { fields.append((key, value)) }
            return .object(fields)
        }
        func version(_ fields: [(String, JSONValue)]) -> JSONValue {
            with("versions", .object([("3", .object(fields))]))
        }
        let latency14: JSONValue = .array([JSONValue](repeating: 0, count: 14))
        let cases: [(JSONValue, String)] = [
            ([1, 2], "Invalid replica report: the document must be a JSON object"),
            (with("replica_id", nil), "Invalid replica report: 'replica_id' is required"),
            (with("replica_id", ""), "Invalid replica report: 'replica_id' must have 1 to 256 characters"),
            (with("replica_id", 7), "Invalid replica report: 'replica_id' must be a string"),
            (with("endpoint", nil), "Invalid replica report: 'endpoint' is required"),
            (with("sequence", -1), "Invalid replica report: 'sequence' must be a non-negative integer"),
            (with("sequence", 1.5), "Invalid replica report: 'sequence' must be a non-negative integer"),
            (with("window_end", 1), "Invalid replica report: 'window_end' must not be before 'window_start'"),
            (with("window_start", "soon"), "Invalid replica report: 'window_start' must be an integer"),
            (with("versions", nil), "Invalid replica report: 'versions' is required"),
            (with("versions", [1]), "Invalid replica report: 'versions' must be a JSON object"),
            (
                with("versions", .object([("v3", .object([]))])),
                "Invalid replica report: 'versions.v3' is not a version"
            ),
            (
                with("versions", .object([("03", .object([]))])),
                "Invalid replica report: 'versions.03' is not a version"
            ),
            (with("versions", .object([("0", .object([]))])), "Invalid replica report: 'versions.0' is not a version"),
            (
                with("versions", .object([("3", .object([])), ("3", .object([]))])),
                "Invalid replica report: 'versions.3' appears twice"
            ),
            (with("versions", .object([("3", 5)])), "Invalid replica report: 'versions.3' must be a JSON object"),
            (
                version([("requests", 10), ("latency", latency14)]),
                "Invalid replica report: 'versions.3.latency' must have 15 counts; it has 14"
            ),
            (
                version([("requests", 10), ("latency", [1, 2])]),
                "Invalid replica report: 'versions.3.latency' must have 15 counts; it has 2"
            ),
            (
                version([("requests", 1), ("latency", .array([1, -1] + [JSONValue](repeating: 0, count: 13)))]),
                "Invalid replica report: 'versions.3.latency' must hold non-negative integers only"
            ),
            (
                version([("requests", 1), ("latency", .array([2] + [JSONValue](repeating: 0, count: 14)))]),
                "Invalid replica report: 'versions.3.latency' must not count more than 'requests'"
            ),
            (
                version([("bins", [1, 2, 3])]),
                "Invalid replica report: 'versions.3.bins' must be empty or have 42 counts; it has 3"
            ),
            (
                version([("requests", 2), ("client_errors", 2), ("server_errors", 1)]),
                "Invalid replica report: 'versions.3.client_errors' and 'server_errors' together must not exceed"
            ),
            (
                version([("shadow_compared", 2), ("shadow_agreed", 3)]),
                "Invalid replica report: 'versions.3.shadow_agreed' must not exceed 'shadow_compared'"
            ),
            (version([("requests", "12")]), "Invalid replica report: 'versions.3.requests' must be a non-negative"),
            (version([("requests", -12)]), "Invalid replica report: 'versions.3.requests' must be a non-negative"),
            (
                version([("classes", .object([("cat", -1)]))]),
                "Invalid replica report: 'versions.3.classes.cat' must be a non-negative integer"
            ),
            (
                version([("classes", .object([("cat", 1), ("cat", 2)]))]),
                "Invalid replica report: 'versions.3.classes.cat' appears twice"
            ),
            (version([("classes", [1])]), "Invalid replica report: 'versions.3.classes' must be a JSON object"),
        ]
        for (json, prefix) in cases {
            do {
                _ = try ReplicaReport(json: json)
                Issue.record("accepted: \(prefix)")
            } catch {
                #expect(error.code == .invalidParameterValue)
                #expect(error.message.hasPrefix(prefix), "\(error.message)")
            }
        }
    }

    @Test func tooManyVersionsOrLabelsAreRefused() throws {
        let good = try JSONValue(parsing: Self.sample)
        var fields = good.objectFields ?? []
        fields.removeAll { $0.0 == "versions" }
        let many = JSONValue.object((1...101).map { (String($0), JSONValue.object([])) })
        #expect(throws: KaizenError.self) { try ReplicaReport(json: .object(fields + [("versions", many)])) }
        let labels = JSONValue.object((0...VersionStats.maximumClassLabels).map { ("l\($0)", JSONValue.integer(1)) })
        #expect(throws: KaizenError.self) { try VersionStats(json: .object([("classes", labels)])) }
    }

    @Test func notJSONIsRefused() {
        for text in ["", "{", "{\"replica_id\": }", "[1,", "nul"] {
            do {
                _ = try ReplicaReport(parsing: Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.hasPrefix("Invalid replica report: not JSON"), "\(error.message)")
            }
        }
    }
}
