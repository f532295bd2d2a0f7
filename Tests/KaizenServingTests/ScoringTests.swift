import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// Scoring payloads to engine feeds and back, on converted scikit-learn models from the ONNX parity fixtures
/// (`make onnx-fixtures`).
struct ScoringTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity")

    /// A 10-feature random-forest regressor: one input `X` float[N, 10], one output `variable` float[N, 1].
    static func regressor(signature: ModelSignature? = nil) throws -> ScoringModel {
        let engine = try ONNXModel(contentsOf: fixtures.appendingPathComponent("rf_reg/model.onnx"))
        return ScoringModel(engine: engine, signature: signature, name: "rf_reg", version: "3")
    }

    /// A column-transformer pipeline: inputs age, income (float[N, 1]), city, plan (string[N, 1]); ZipMap output.
    static func pipeline() throws -> ScoringModel {
        let engine = try ONNXModel(contentsOf: fixtures.appendingPathComponent("coltrans_logreg/model.onnx"))
        let signature = ModelSignature.columns([
            ColumnSpec(name: "age", type: .float), ColumnSpec(name: "income", type: .float),
            ColumnSpec(name: "city", type: .string), ColumnSpec(name: "plan", type: .string),
        ])
        return ScoringModel(engine: engine, signature: signature, name: "pipe", version: nil)
    }

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
        let model = try Self.regressor(signature: Self.signature)
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
        let fromRecords = try await Self.predictions(model, "{\"dataframe_records\": [\(records.joined(separator: ","))]}")
        #expect(fromRecords == split)

        // A list of lists is a tensor request: the answer is a dict of full-shape columns.
        let lists = Self.rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        let tensor = try await Self.predictions(model, "{\"inputs\": [\(lists)]}")
        #expect(tensor["variable"]?.arrayValue?.map { $0.arrayValue?.first?.doubleValue } == expected)
    }

    @Test func floatsAreWrittenAsNumPyWidensThem() {
        let value = Value.tensor(try! Tensor(shape: [1], floats: [0.98]))
        let text = String(
            decoding: PredictionEncoder.predictions([("p", value)], rows: 1, style: .records), as: UTF8.self)
        #expect(text == "{\"predictions\": [{\"p\": 0.9800000190734863}]}")
    }

    @Test func signatureErrorsNameTheColumn() async throws {
        let model = try Self.regressor(signature: Self.signature)
        #expect {
            _ = try await Self.predictions(
                model, Self.splitBody(Array(Self.columns.dropFirst()), Self.rows.map { Array($0.dropFirst()) }))
        } throws: { error in
            let error = error as! ServingError
            return error.status == 400 && error.code == "INVALID_PARAMETER_VALUE" && error.sqlstate == "KAM01"
                && error.message.contains("missing inputs ['f0']")
        }
        let body = Self.splitBody(Self.columns, Self.rows).replacingOccurrences(of: "0.1,", with: "\"abc\",")
        #expect {
            _ = try await Self.predictions(model, body)
        } throws: { error in
            let error = error as! ServingError
            return error.code == "BAD_REQUEST" && error.message.contains("column f0") && error.message.contains("abc")
        }
        // Numeric strings convert, as MLflow casts them.
        let numeric = Self.splitBody(Self.columns, Self.rows).replacingOccurrences(of: "0.1,", with: "\"0.1\",")
        #expect(
            try await Self.predictions(model, numeric) == Self.predictions(model, Self.splitBody(Self.columns, Self.rows)))
    }

    @Test func multiInputPipelineTakesColumnsByName() async throws {
        let model = try Self.pipeline()
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

    @Test func csvRowsSurviveAnyChunking() throws {
        let text = "a,b,c\r\n1,\"x, \"\"quoted\"\"\",2.5\n,True,\"multi\nline\"\n3,plain,-4"
        var whole = CSVParser()
        var expected = try whole.append(Array(text.utf8))
        if let last = try whole.finish() { expected.append(last) }
        #expect(expected.count == 4)
        #expect(expected[1] == [.integer(1), .string("x, \"quoted\""), .double(2.5)])
        #expect(expected[2] == [.null, .bool(true), .string("multi\nline")])
        for size in [1, 2, 3, 7] {
            var parser = CSVParser()
            var rows: [[JSONValue]] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                rows += try parser.append(bytes[start..<min(start + size, bytes.count)])
            }
            if let last = try parser.finish() { rows.append(last) }
            #expect(rows == expected, "chunks of \(size)")
        }
        var unclosed = CSVParser()
        _ = try unclosed.append(Array("a\n\"open".utf8))
        #expect(throws: ServingError.self) { try unclosed.finish() }
    }

    @Test func signaturesParseFromMLmodelJSON() throws {
        let columns = try ModelSignature(
            parsingJSON:
                #"[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "s", "required": false}]"#
        )
        #expect(
            columns
                == .columns([
                    ColumnSpec(name: "x", type: .double), ColumnSpec(name: "s", type: .string, required: false),
                ]))
        let tensors = try ModelSignature(
            parsingJSON: #"[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]"#)
        #expect(tensors == .tensors([TensorSpec(name: nil, dtype: "float32", shape: [-1, 4])]))
        #expect(throws: ServingError.self) {
            try ModelSignature(parsingJSON: #"[{"type": "complex128", "name": "z"}]"#)
        }
        #expect(throws: ServingError.self) { try ModelSignature(parsingJSON: "not json") }
    }

    @Test func modelFolderCannotPointOutside() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaizen-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("rf_reg/model.onnx"),
            to: folder.appendingPathComponent("model.onnx"))
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("escape.onnx"), withDestinationURL: URL(fileURLWithPath: "/etc/passwd"))
        for data in ["../../etc/passwd", "/etc/passwd", "escape.onnx", "./../model.onnx", "missing.onnx", ""] {
            try "flavors:\n  onnx:\n    data: '\(data)'\n".write(
                to: folder.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
            #expect(throws: ServingError.self, "data: \(data)") { try ModelPackage(at: folder) }
        }
        try "flavors:\n  sklearn: {}\n".write(
            to: folder.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        #expect(throws: ServingError.self) { try ModelPackage(at: folder) }
        try
            "flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '[{\"type\": \"float\", \"name\": \"a\"}]'\n"
            .write(to: folder.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        let package = try ModelPackage(at: folder)
        #expect(package.modelFile.lastPathComponent == "model.onnx")
        #expect(package.signature == .columns([ColumnSpec(name: "a", type: .float)]))
    }

    @Test func openInferenceRequestsAreChecked() async throws {
        let model = try Self.regressor()
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
