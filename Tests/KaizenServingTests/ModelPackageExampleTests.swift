import Foundation
import KaizenCore
import Testing

@testable import KaizenServing

/// What a model folder offers callers besides its signature: the signature's params and the serving input example
/// MLflow saved. A bad example is left out; it never stops the model from loading.
struct ModelPackageExampleTests {
    static func folder(mlmodel: String, files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaizen-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data([0]).write(to: folder.appendingPathComponent("model.onnx"))
        try mlmodel.write(to: folder.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static let mlmodel = """
        flavors:
          onnx:
            data: model.onnx
        saved_input_example_info:
          serving_input_path: serving_input_example.json
          type: dataframe
        signature:
          inputs: '[{"type": "double", "name": "a", "required": false}]'
          params: '[{"name": "k", "type": "long", "default": 3, "shape": null}, {"name": "w", "type": "double",
            "default": [0.5], "shape": [-1]}, {"type": "string"}]'

        """

    @Test func readsParamsAndTheExampleWithNaNAsNull() throws {
        let folder = try Self.folder(
            mlmodel: Self.mlmodel,
            files: ["serving_input_example.json": #"{"dataframe_split": {"columns": ["a"], "data": [[1.5], [NaN]]}}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        let package = try ModelPackage(at: folder)
        #expect(
            package.params == [
                ParamSpec(name: "k", type: "long", defaultValue: .integer(3)),
                ParamSpec(name: "w", type: "double", defaultValue: .array([.double(0.5)]), shape: [-1]),
            ])
        #expect(
            package.servingExample?.jsonText == #"{"dataframe_split":{"columns":["a"],"data":[[1.5],[null]]}}"#)
    }

    @Test func leavesOutExamplesThatAreMissingBadLargeOrOutside() throws {
        let large = #"{"inputs": ["# + String(repeating: "1,", count: ModelPackage.maximumExampleBytes / 2) + "1]}"
        for (mlmodel, files) in [
            (Self.mlmodel, [:]),
            (Self.mlmodel, ["serving_input_example.json": "{not json"]),
            (Self.mlmodel, ["serving_input_example.json": large]),
            (
                Self.mlmodel.replacingOccurrences(of: "serving_input_example.json", with: "../outside.json"),
                ["serving_input_example.json": "{}"]
            ),
        ] {
            let folder = try Self.folder(mlmodel: mlmodel, files: files)
            defer { try? FileManager.default.removeItem(at: folder) }
            let package = try ModelPackage(at: folder)
            #expect(package.servingExample == nil)
            #expect(package.params.count == 2)
        }
        // Without saved_input_example_info, the file has MLflow's default name.
        let folder = try Self.folder(
            mlmodel: "flavors:\n  onnx:\n    data: model.onnx\n",
            files: ["serving_input_example.json": #"{"inputs": [1]}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try ModelPackage(at: folder).servingExample?.jsonText == #"{"inputs":[1]}"#)
    }
}
