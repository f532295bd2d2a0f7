import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// Serving's one scoring call: MLflow scoring payloads and Open Inference requests to engine feeds and back, on
/// converted scikit-learn models.
@Suite(.enabled(if: ServingFixtures.available, ServingFixtures.missing))
struct ScoringServiceTests {
    static let columns = (0..<10).map { "f\($0)" }
    static let signature = ModelSignature.columns(columns.map { ColumnSpec(name: $0, type: .float) })
    static let rows: [[Double]] = [
        [0.1, -0.2, 0.3, 0.5, -1.0, 2.0, 0.0, 0.25, -0.75, 1.5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ]

    static func splitBody(_ names: [String], _ rows: [[Double]]) -> String {
        let data = rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        return
            "{\"dataframe_split\": {\"columns\": [\(names.map { "\"\($0)\"" }.joined(separator: ","))], \"data\": [\(data)]}}"
    }

    static func predictions(_ model: ScoringModel, _ body: String) async throws -> JSONValue {
        let prediction = try await ScoringService(model: model).predict(try ScoringRequest.parseJSON(Array(body.utf8)))
        return try JSONValue(parsing: prediction.json())["predictions"]!
    }

    @Test func dataFramePayloadsAgreeWithTheTensorPayload() async throws {
        let model = try ServingFixtures.regressor(signature: Self.signature)
        let direct = try model.run(["X": try Tensor(shape: [2, 10], floats: Self.rows.flatMap { $0.map(Float.init) })])
        let expected = direct["variable"]!.tensor!.floats!.map { Double($0) }

        let split = try await Self.predictions(model, Self.splitBody(Self.columns, Self.rows))
        #expect(split.arrayValue?.map { $0["variable"]?.doubleValue } == expected)

        // Columns in another order, plus an extra column: matched by name, the extra ignored.
        let shuffled = Array(Self.columns.reversed()) + ["unused"]
        let shuffledRows = Self.rows.map { Array($0.reversed()) + [42] }
        let reordered = try await Self.predictions(model, Self.splitBody(shuffled, shuffledRows))
        #expect(reordered == split)

        let records = Self.rows.map { row in
            "{" + zip(Self.columns, row).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
        }
        let fromRecords = try await Self.predictions(
            model, "{\"dataframe_records\": [\(records.joined(separator: ","))]}")
        #expect(fromRecords == split)

        // A list of lists is a tensor request: the answer is a dict of full-shape columns.
        let lists = Self.rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        let tensor = try await Self.predictions(model, "{\"inputs\": [\(lists)]}")
        #expect(tensor["variable"]?.arrayValue?.map { $0.arrayValue?.first?.doubleValue } == expected)
    }

    /// The numeric fast path and the full path score a table alike, errors included: the same predictions, the same
    /// refusal of a fraction under an integer declaration, the same NaN for an optional column left out.
    @Test func numericTablesScoreAsTheFullPathDoes() async throws {
        func both(_ model: ScoringModel, _ body: String) async -> (String, String) {
            func answer(_ input: ScoringInput) async -> String {
                do {
                    return String(decoding: try await ScoringService(model: model).predict(input).json(), as: UTF8.self)
                } catch { return "\(error.code) \(error.message)" }
            }
            guard let fast = ScoringRequest.numericInput(Array(body.utf8)) else { return ("not numeric", body) }
            let full = (try? ScoringRequest.input(of: JSONValue(parsing: body))) ?? .tensor(.null)
            return (await answer(fast), await answer(full))
        }
        let model = try ServingFixtures.regressor(signature: Self.signature)
        let shuffled = Array(Self.columns.reversed()) + ["unused"]
        for body in [
            Self.splitBody(Self.columns, Self.rows),
            Self.splitBody(shuffled, Self.rows.map { Array($0.reversed()) + [42] }),
            Self.splitBody(Self.columns, [Self.rows[0]]).replacingOccurrences(of: "1.0", with: "1"),
        ] {
            let (fast, full) = await both(model, body)
            #expect(fast == full)
            #expect(fast.hasPrefix("{\"predictions\""), "\(fast)")
        }
        var integral = Self.columns.map { ColumnSpec(name: $0, type: .float) }
        integral[0] = ColumnSpec(name: "f0", type: .long)
        let strict = try ServingFixtures.regressor(signature: .columns(integral))
        let fraction = await both(strict, Self.splitBody(Self.columns, Self.rows))
        #expect(fraction.0 == fraction.1 && fraction.0.contains("f0"), "\(fraction)")
        let whole = await both(strict, Self.splitBody(Self.columns, [Self.rows[1]]))
        #expect(whole.0 == whole.1 && whole.0.hasPrefix("{\"predictions\""), "\(whole)")
        var optional = Self.columns.map { ColumnSpec(name: $0, type: .float) }
        optional[9] = ColumnSpec(name: "f9", type: .float, required: false)
        let lenient = try ServingFixtures.regressor(signature: .columns(optional))
        let leftOut = await both(
            lenient, Self.splitBody(Array(Self.columns.dropLast()), Self.rows.map { $0.dropLast() }))
        #expect(leftOut.0 == leftOut.1, "\(leftOut)")
        let wide = await both(
            try ServingFixtures.regressor(), Self.splitBody(Self.columns + ["extra"], Self.rows.map { $0 + [1] }))
        #expect(wide.0 == wide.1 && wide.0.contains("takes 10 columns"), "\(wide)")
        // Lists of lists, under no signature and under a tensor signature of the right and the wrong shape.
        let lists =
            "{\"inputs\": ["
            + Self.rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }
            .joined(separator: ",") + "]}"
        for signature: ModelSignature? in [
            nil, .tensors([TensorSpec(name: "X", dtype: "float32", shape: [-1, 10])]),
            .tensors([TensorSpec(name: "X", dtype: "float32", shape: [-1, 9])]),
        ] {
            let (fast, full) = await both(try ServingFixtures.regressor(signature: signature), lists)
            #expect(fast == full, "\(String(describing: signature))")
        }
        let (narrow, narrowFull) = await both(try ServingFixtures.regressor(), "{\"inputs\": [[1, 2]]}")
        #expect(narrow == narrowFull && !narrow.hasPrefix("{\"predictions\""), "\(narrow)")
    }

    @Test func signatureErrorsNameTheColumn() async throws {
        let model = try ServingFixtures.regressor(signature: Self.signature)
        let missing = await #expect(throws: ServingError.self) {
            try await Self.predictions(
                model, Self.splitBody(Array(Self.columns.dropFirst()), Self.rows.map { Array($0.dropFirst()) }))
        }
        #expect(missing?.status == 400)
        #expect(missing?.code == "INVALID_PARAMETER_VALUE")
        #expect(missing?.sqlstate == "KAM01")
        #expect(missing?.message.contains("missing inputs ['f0']") == true)
        let body = Self.splitBody(Self.columns, Self.rows).replacingOccurrences(of: "0.1,", with: "\"abc\",")
        let wrongType = await #expect(throws: ServingError.self) { try await Self.predictions(model, body) }
        #expect(wrongType?.code == "BAD_REQUEST")
        #expect(wrongType?.message.contains("column f0") == true)
        #expect(wrongType?.message.contains("abc") == true)
        // Numeric strings convert, as MLflow casts them.
        let numeric = Self.splitBody(Self.columns, Self.rows).replacingOccurrences(of: "0.1,", with: "\"0.1\",")
        let converted = try await Self.predictions(model, numeric)
        #expect(try await converted == Self.predictions(model, Self.splitBody(Self.columns, Self.rows)))
    }

    @Test func multiInputPipelineTakesColumnsByName() async throws {
        let model = try ServingFixtures.pipeline()
        let body = """
            {"dataframe_records": [{"plan": "basic", "city": "paris", "income": 52000.0, "age": 31},
                                   {"age": 58, "income": null, "city": "atlantis", "plan": "pro"}]}
            """
        let predictions = try await Self.predictions(model, body)
        let first = try #require(predictions.arrayValue?.first)
        // The label stays an integer; ZipMap's map keys become strings, as MLflow writes them.
        guard case .integer = first["output_label"] else {
            Issue.record("label is not an integer: \(first)")
            return
        }
        let probabilities = try #require(first["output_probability"]?.objectFields)
        #expect(probabilities.map(\.0).allSatisfy { Int($0) != nil })
        #expect(abs(probabilities.compactMap { $0.1.doubleValue }.reduce(0, +) - 1) < 1e-5)

        let engine = try model.run([
            "age": try Tensor(shape: [2, 1], floats: [31, 58]),
            "income": try Tensor(shape: [2, 1], floats: [52000, .nan]),
            "city": try Tensor(shape: [2, 1], strings: ["paris", "atlantis"]),
            "plan": try Tensor(shape: [2, 1], strings: ["basic", "pro"]),
        ])
        #expect(
            predictions.arrayValue?.map { $0["output_label"]?.int64Value } == engine["output_label"]?.tensor?.int64s)
    }

    @Test func openInferenceRequestsAreChecked() async throws {
        let model = try ServingFixtures.regressor()
        let data = Self.rows.flatMap { $0 }.map { JSONValue.double($0) }
        func request(_ shape: [Int64], _ datatype: String, _ data: [JSONValue]) -> JSONValue {
            .object([
                ("id", "42"),
                (
                    "inputs",
                    [
                        .object([
                            ("name", "X"), ("shape", .array(shape.map { .integer($0) })),
                            ("datatype", .string(datatype)),
                            ("data", .array(data)),
                        ])
                    ]
                ),
            ])
        }
        let service = ScoringService(model: model)
        let response = try await service.infer(request([2, 10], "FP32", data), name: "rf_reg", version: nil).header
        #expect(response["id"] == "42")
        #expect(response["model_version"] == "3")
        let output = try #require(response["outputs"]?.arrayValue?.first)
        #expect(output["name"] == "variable")
        #expect(output["datatype"] == "FP32")
        #expect(output["shape"] == [2, 1])
        for (body, status) in [
            (request([2, 10], "BYTES", data), 400), (request([3, 10], "FP32", data), 400),
            (JSONValue.object([("inputs", "x")]), 400),
        ] {
            let error = await #expect(throws: ServingError.self) {
                try await service.infer(body, name: "rf_reg", version: nil)
            }
            #expect(error?.status == status)
            #expect(error?.inferenceBody["error"]?.stringValue == error?.message)
        }
        let elsewhere = await #expect(throws: ServingError.self) {
            try await service.infer(request([2, 10], "FP32", data), name: "rf_reg", version: "4")
        }
        #expect(elsewhere?.status == 404)
    }
}
