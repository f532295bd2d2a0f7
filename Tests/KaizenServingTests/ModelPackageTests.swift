import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenServing

/// An `MLmodel` folder's data file cannot lead outside the folder.
@Suite(.enabled(if: ServingFixtures.available, ServingFixtures.missing))
struct ModelPackageTests {
    @Test func modelFolderCannotPointOutside() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaizen-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: ServingFixtures.parity.appendingPathComponent("rf_reg/model.onnx"),
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
}

/// Native flavors' model files: pickles are refused, skops files are found under each flavor's key.
struct NativeModelPackageTests {
    @Test func picklesAreRefusedAndSkopsFilesFoundPerFlavor() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaizen-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([1]).write(to: folder.appendingPathComponent("model.skops"))
        func load(_ mlmodel: String) throws(ServingError) -> ModelPackage {
            try? mlmodel.write(to: folder.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
            return try ModelPackage(at: folder)
        }
        for (mlmodel, message) in [
            (
                "flavors:\n  sklearn:\n    serialization_format: cloudpickle\n",
                "saved with cloudpickle, which runs code"
            ),
            (
                "flavors:\n  lightgbm:\n    model_class: lightgbm.sklearn.LGBMClassifier\n    serialization_format: pickle\n",
                "The LightGBM lightgbm.sklearn.LGBMClassifier at"
            ),
        ] {
            do {
                _ = try load(mlmodel)
                Issue.record("accepted: \(mlmodel)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
        let estimator = try load(
            "flavors:\n  lightgbm:\n    model_class: lightgbm.sklearn.LGBMRegressor\n    serialization_format: skops\n"
                + "    data: model.skops\n")
        #expect(estimator.flavor == .sklearn(predictFunction: "predict"))
        #expect(estimator.modelFile.lastPathComponent == "model.skops")
    }
}
