import KaizenCore
import Testing

@testable import KaizenMonitoring

/// Live performance figures on small cases worked by hand (scikit-learn gives the same numbers), feedback parsing,
/// and the inference log's segment descriptions.
struct LivePerformanceTests {
    @Test func classificationFiguresAsScikitLearnComputesThem() {
        // truth  0 0 1 1 2 2 2
        // guess  0 1 1 1 2 0 2
        let truth: [PredictionLabel] = [0, 0, 1, 1, 2, 2, 2].map { .number($0) }
        let guess: [PredictionLabel] = [0, 1, 1, 1, 2, 0, 2].map { .number($0) }
        let metrics = ClassificationMetrics(truth: truth, predicted: guess)
        #expect(metrics.accuracy == 5.0 / 7.0)
        #expect(metrics.classes.map(\.label) == ["0", "1", "2"])
        // Class 0: TP 1, FP 1, FN 1; class 1: TP 2, FP 1, FN 0; class 2: TP 2, FP 0, FN 1.
        #expect(metrics.classes[0].figures == .init(precision: 0.5, recall: 0.5, f1: 0.5, support: 2))
        #expect(metrics.classes[1].figures == .init(precision: 2.0 / 3.0, recall: 1, f1: 0.8, support: 2))
        #expect(metrics.classes[2].figures == .init(precision: 1, recall: 2.0 / 3.0, f1: 0.8, support: 3))
        #expect(abs(metrics.macroF1 - 0.7) < 1e-15)
        #expect(metrics.rocAUC == nil)
        // A class only predicted, never true: precision 0, recall 0 (scikit-learn's zero_division=0).
        let text = ClassificationMetrics(truth: [.text("a"), .text("a")], predicted: [.text("a"), .text("b")])
        #expect(text.classes.map(\.label) == ["a", "b"])
        #expect(text.classes[1].figures == .init(precision: 0, recall: 0, f1: 0, support: 0))
        let binary = ClassificationMetrics(
            truth: [0, 0, 1, 1].map { .number($0) }, predicted: [0, 1, 1, 1].map { .number($0) },
            positiveScores: [0.1, 0.4, 0.35, 0.8])
        #expect(binary.rocAUC == 0.75)
    }

    @Test func regressionFigures() {
        let metrics = RegressionMetrics(truth: [3, -0.5, 2, 7], predicted: [2.5, 0, 2, 8])
        #expect(metrics.meanAbsoluteError == 0.5)
        #expect(abs(metrics.rootMeanSquaredError - 0.6123724356957945) < 1e-15)
        #expect(abs(metrics.r2 - 0.9486081370449679) < 1e-15)
        #expect(RegressionMetrics(truth: [1, 1], predicted: [1, 1]).r2 == 1)
        #expect(RegressionMetrics(truth: [1, 1], predicted: [1, 2]).r2 == 0)
    }

    @Test func feedbackItemsInEveryShapeAndClearErrors() throws {
        let one = try Feedback.items(from: try JSONValue(parsing: Array(#"{"request_id": "a", "label": 1}"#.utf8)))
        #expect(one == [Feedback(requestID: "a", row: 0, label: .number(1), receivedAt: one[0].receivedAt)])
        let rows = try Feedback.items(
            from: try JSONValue(
                parsing: Array(#"{"feedback": [{"request_id": "b", "label": ["x", true, 2.5]}]}"#.utf8)),
            now: 7)
        #expect(rows.map(\.row) == [0, 1, 2])
        #expect(rows.map(\.label) == [.text("x"), .bool(true), .number(2.5)])
        let bad: [(String, String)] = [
            (#"[{"label": 1}]"#, "no 'request_id'"), (#"{"request_id": "a"}"#, "no 'label'"),
            (#"{"request_id": "a", "label": null}"#, "no 'label'"),
            (#"{"request_id": "", "label": 1}"#, "visible ASCII"),
            (#"{"request_id": "a", "label": [[1]]}"#, "a label is"),
            (#"{"request_id": "a", "label": [1], "row": 0}"#, "not with a list"),
            (#"{"request_id": "a", "label": 1, "row": 1.5}"#, "'row'"), (#"[]"#, "No feedback"), (#"3"#, "an object"),
        ]
        for (text, message) in bad {
            do {
                _ = try Feedback.items(from: try JSONValue(parsing: Array(text.utf8)))
                Issue.record("\(text) was taken")
            } catch let error as KaizenError {
                #expect(error.message.contains(message), "\(text): \(error.message)")
            }
        }
    }

    @Test func segmentsArePathsByDayAndRefuseWhatCouldEscape() throws {
        let segment = InferenceSegment(
            endpoint: "churn", replicaID: "host-1a2b", sequence: 42, firstTime: 1_764_892_799_999,
            lastTime: 1_764_892_800_500, records: 3, requests: 2, dropped: 0)
        #expect(segment.path == "monitoring/churn/inferences/2025-12-04/host-1a2b-0000000042.jsonl.gz")
        #expect(InferenceSegment.day(0) == "1970-01-01")
        #expect(InferenceSegment.day(951_782_400_000) == "2000-02-29")
        try segment.validate()
        #expect(try InferenceSegment(json: segment.json) == segment)
        for name in ["..", "../x", "a/b", "%2e%2e", "", ".hidden", "a b", String(repeating: "a", count: 129)] {
            var bad = segment
            bad.endpoint = name
            #expect(throws: KaizenError.self) { try bad.validate() }
        }
        var bad = segment
        bad.requests = 4
        #expect(throws: KaizenError.self) { try bad.validate() }
    }

    @Test func tablesKeepTheirTypesWhenRowsAreSelected() {
        let table = DataTable(
            columns: [
                DataColumn(name: "n", values: .numbers([1, 2, 3], integral: true, boolean: false)),
                DataColumn(name: "t", values: .labels(codes: [0, -1, 1], labels: ["a", "b"])),
            ], rowCount: 3)
        let picked = table.selecting(rows: [2, 0]) { $0 != "skip" }
        #expect(picked.rowCount == 2)
        #expect(picked["n"]?.text(at: 0) == "3")
        #expect(picked["t"]?.text(at: 0) == "b")
        #expect(table["t"]?.text(at: 1) == nil)
        #expect(table["t"]?.number(at: 0) == nil)
    }
}
