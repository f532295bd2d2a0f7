import Foundation
import KaizenCore
import KaizenMonitoring
import KaizenRegistry
import Testing

/// The monitoring store's behaviour, the same on every backend: segments kept once and found by time, feedback
/// replaced per request and row, alert rules, and alerts recorded once with their audit record.
struct MonitorStoreConformanceTests {
    func segment(
        _ sequence: Int64, replica: String = "r1", endpoint: String = "e", first: Int64, last: Int64,
        records: Int64 = 10
    ) -> InferenceSegment {
        InferenceSegment(
            endpoint: endpoint, replicaID: replica, sequence: sequence, firstTime: first, lastTime: last,
            records: records, requests: 5, dropped: 1, bytes: 1234, receivedAt: last + 1)
    }

    @Test(arguments: StoreBackend.all)
    func segmentsAreKeptOnceAndFoundByTime(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.monitoring
            #expect(try await store.addSegment(segment(1, first: 1000, last: 1999)))
            #expect(try await store.addSegment(segment(2, first: 2000, last: 2999)))
            #expect(try await store.addSegment(segment(1, replica: "r2", first: 1500, last: 2500)))
            #expect(try await store.addSegment(segment(1, endpoint: "other", first: 1000, last: 5000)))
            // A resent segment changes nothing, whatever it now says.
            #expect(try await !store.addSegment(segment(1, first: 1000, last: 1999, records: 99)))
            #expect(
                try await store.segment(endpoint: "e", replicaID: "r1", sequence: 1)
                    == segment(1, first: 1000, last: 1999))
            #expect(try await store.segment(endpoint: "e", replicaID: "r1", sequence: 3) == nil)

            func keys(_ from: Int64?, _ to: Int64?) async throws -> [String] {
                try await store.segments(endpoint: "e", from: from, to: to).map { "\($0.replicaID)-\($0.sequence)" }
            }
            #expect(try await keys(nil, nil) == ["r1-1", "r2-1", "r1-2"])
            #expect(try await keys(2000, nil) == ["r2-1", "r1-2"])
            #expect(try await keys(nil, 1500) == ["r1-1"])
            #expect(try await keys(2600, 2700) == ["r1-2"])
            #expect(try await keys(3000, nil) == [])
            #expect(try await store.segments(endpoint: "none", from: nil, to: nil).isEmpty)

            let resent = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.addSegment(segment(9, first: 9000, last: 9100)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(resent.filter { $0 }.count == 1)
        }
    }

    @Test(arguments: StoreBackend.all)
    func feedbackIsReplacedPerRequestAndRow(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.monitoring
            try await store.addFeedback(
                [
                    Feedback(requestID: "q1", row: 0, label: .number(1), receivedAt: 10),
                    Feedback(requestID: "q1", row: 1, label: .text("cat"), receivedAt: 10),
                    Feedback(requestID: "q2", row: 0, label: .bool(true), receivedAt: 10),
                    Feedback(requestID: "q2", row: 0, label: .bool(false), receivedAt: 11),
                ], endpoint: "e")
            try await store.addFeedback(
                [Feedback(requestID: "q1", row: 0, label: .number(2.5), receivedAt: 20)], endpoint: "e")
            try await store.addFeedback(
                [Feedback(requestID: "q1", row: 0, label: .number(7), receivedAt: 30)], endpoint: "f")
            try await store.addFeedback([], endpoint: "e")
            let found = try await store.feedback(endpoint: "e", requestIDs: ["q1", "q2", "q9"]).sorted {
                ($0.requestID, $0.row) < ($1.requestID, $1.row)
            }
            #expect(
                found == [
                    Feedback(requestID: "q1", row: 0, label: .number(2.5), receivedAt: 20),
                    Feedback(requestID: "q1", row: 1, label: .text("cat"), receivedAt: 10),
                    Feedback(requestID: "q2", row: 0, label: .bool(false), receivedAt: 11),
                ])
            #expect(try await store.feedback(endpoint: "e", requestIDs: []).isEmpty)
            #expect(try await store.feedback(endpoint: "f", requestIDs: ["q1"]).map(\.label) == [.number(7)])
            let many = (0..<1200).map { Feedback(requestID: "bulk\($0)", label: .number(Double($0)), receivedAt: 40) }
            try await store.addFeedback(many, endpoint: "e")
            #expect(try await store.feedback(endpoint: "e", requestIDs: many.map(\.requestID)).count == 1200)
        }
    }

    @Test(arguments: StoreBackend.all)
    func rulesAreReplacedAndRemoved(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.monitoring
            let first = MonitorRules(
                endpoint: "e", rules: [try AlertRule(condition: "accuracy < 0.9")], window: 60_000, modelName: "m")
            let other = MonitorRules(
                endpoint: "a", rules: [try AlertRule(condition: "accuracy < 0.5", name: "bad")], window: 3_600_000)
            try await store.setRules(first)
            try await store.setRules(other)
            #expect(try await store.allRules() == [other, first])
            let replaced = MonitorRules(
                endpoint: "e",
                rules: [
                    try AlertRule(condition: "accuracy < 0.8"), try AlertRule(condition: "missing_share(age) > 0.05"),
                ],
                window: 120_000)
            try await store.setRules(replaced)
            #expect(try await store.allRules() == [other, replaced])
            try await store.setRules(MonitorRules(endpoint: "a", rules: [], window: 60_000))
            #expect(try await store.allRules() == [replaced])
        }
    }

    @Test(arguments: StoreBackend.all)
    func alertsAreRecordedOnceWithTheirAuditRecord(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.monitoring
            func alert(
                _ rule: String, window: Int64, version: String?, fired: Int64, value: Double = 0.7
            ) -> MonitorAlert {
                MonitorAlert(
                    endpoint: "e", rule: rule, condition: "accuracy < 0.9", windowStart: window,
                    windowEnd: window + 60_000, version: version, value: value, firedAt: fired)
            }
            #expect(try await store.recordAlert(alert("acc", window: 0, version: "3", fired: 100), modelName: "m"))
            #expect(
                try await !store.recordAlert(
                    alert("acc", window: 0, version: "3", fired: 200, value: 0.1), modelName: "m"))
            #expect(try await store.recordAlert(alert("acc", window: 0, version: "4", fired: 300), modelName: "m"))
            #expect(try await store.recordAlert(alert("acc", window: 60_000, version: nil, fired: 400), modelName: "m"))
            #expect(
                try await !store.recordAlert(alert("acc", window: 60_000, version: nil, fired: 500), modelName: "m"))
            #expect(try await store.recordAlert(alert("other", window: 0, version: "3", fired: 400), modelName: "m"))
            let listed = try await store.alerts(endpoint: "e", limit: 10)
            #expect(listed.map(\.firedAt) == [400, 400, 300, 100])
            #expect(listed.map(\.rule) == ["acc", "other", "acc", "acc"])
            #expect(listed.last == alert("acc", window: 0, version: "3", fired: 100))
            #expect(try await store.alerts(endpoint: "e", limit: 2).count == 2)
            #expect(try await store.alerts(endpoint: "none", limit: 10).isEmpty)
            let trail = try await stores.registry.auditEvents(name: "m")
            #expect(trail.map(\.action) == Array(repeating: "monitor_alert", count: 4))
            #expect(trail.map(\.version) == [3, 4, nil, 3])
            #expect(trail.allSatisfy { $0.actor == "kaizen-monitor" })

            let raced = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await store.recordAlert(
                            alert("race", window: 0, version: "1", fired: Int64(600 + index)), modelName: "m")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(raced.filter { $0 }.count == 1)
            #expect(try await stores.registry.auditEvents(name: "m").count == 5)
        }
    }
}
