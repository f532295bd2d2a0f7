public import Foundation
public import KaizenCore
import Yams

/// A model on local disk, ready to load: an MLflow model folder (an `MLmodel` file with an `onnx` or `xgboost`
/// flavor and the model file beside it) or a plain `.onnx` file.
public struct ModelPackage: Sendable {
    /// The format of `modelFile`, from the flavor the package is loaded by.
    public enum Flavor: Sendable, Equatable {
        case onnx
        /// `mlflow.xgboost`: `format` is `ubj` or `json`, `modelClass` what was saved (`xgboost.core.Booster`,
        /// `xgboost.sklearn.XGBClassifier`, ...).
        case xgboost(format: String, modelClass: String)
        /// `mlflow.lightgbm` with a `Booster` saved in LightGBM's text format (its scikit-learn estimators, saved
        /// with skops, load as `sklearn`).
        case lightgbm
        /// `mlflow.sklearn` saved with skops (its default); `predictFunction` is the pyfunc's `predict_fn`.
        case sklearn(predictFunction: String)
    }

    /// The model file: `.onnx`, or the library's own file for a native flavor.
    public var modelFile: URL
    public var flavor: Flavor = .onnx
    /// The input signature from `MLmodel`, if it has one.
    public var signature: ModelSignature?
    /// The signature's inference parameters (`signature.params`).
    public var params: [ParamSpec] = []
    /// The request MLflow saved with the model (`serving_input_example.json`), when there is a readable one.
    public var servingExample: JSONValue?
    /// `model_id` from `MLmodel` (MLflow 3 logged models).
    public var modelID: String?
    /// `run_id` from `MLmodel`.
    public var runID: String?
    /// For an ONNX transformer served text in: its `kaizen_text` flavor, and its tokenizer file.
    public var text: (settings: TextSettings, tokenizer: URL)?

    /// Reads the package at `url`: a folder with an `MLmodel` file, the `MLmodel` file itself, or an `.onnx` file.
    public init(at url: URL) throws(ServingError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ServingError.invalidModel("No model at \(url.path)")
        }
        if !isDirectory.boolValue && url.lastPathComponent != "MLmodel" {
            self.modelFile = url
            return
        }
        let folder = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let mlmodel = folder.appendingPathComponent("MLmodel")
        guard let text = try? String(contentsOf: mlmodel, encoding: .utf8) else {
            throw ServingError.invalidModel("\(folder.path) has no readable MLmodel file")
        }
        let document: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: text) as? [String: Any] else {
                throw ServingError.invalidModel("\(mlmodel.path) is not a YAML mapping")
            }
            document = loaded
        } catch let error as ServingError {
            throw error
        } catch {
            throw ServingError.invalidModel("\(mlmodel.path) is not valid YAML: \(error)")
        }
        let flavors = document["flavors"] as? [String: Any] ?? [:]
        if let onnx = flavors["onnx"] as? [String: Any] {
            self.modelFile = try Self.file(named: onnx["data"] as? String ?? "model.onnx", inside: folder)
            if let flavor = flavors["kaizen_text"] as? [String: Any] {
                let settings = try TextSettings(flavor: flavor)
                self.text = (settings, try Self.file(named: settings.tokenizer, inside: folder, what: "tokenizer file"))
            }
        } else if let xgboost = flavors["xgboost"] as? [String: Any] {
            let format = xgboost["model_format"] as? String ?? "xgb"
            guard format == "ubj" || format == "json" else {
                throw ServingError.invalidModel(
                    "The XGBoost model at \(folder.path) is saved as '\(format)'; Kaizen reads the ubj and json formats "
                        + "(mlflow.xgboost.log_model's default is ubj)")
            }
            self.modelFile = try Self.file(named: xgboost["data"] as? String ?? "model.\(format)", inside: folder)
            self.flavor = .xgboost(
                format: format, modelClass: xgboost["model_class"] as? String ?? "xgboost.core.Booster")
        } else if let sklearn = flavors["sklearn"] as? [String: Any] {
            self.modelFile = try Self.skopsFile(
                sklearn, named: sklearn["pickled_model"], what: "The scikit-learn model", logger: "mlflow.sklearn",
                in: folder)
            let pyfunc = flavors["python_function"] as? [String: Any]
            self.flavor = .sklearn(predictFunction: pyfunc?["predict_fn"] as? String ?? "predict")
        } else if let lightgbm = flavors["lightgbm"] as? [String: Any] {
            let modelClass = lightgbm["model_class"] as? String ?? "lightgbm.basic.Booster"
            if modelClass == "lightgbm.basic.Booster" {
                self.modelFile = try Self.file(named: lightgbm["data"] as? String ?? "model.lgb", inside: folder)
                self.flavor = .lightgbm
            } else {
                // LightGBM's scikit-learn estimators are saved as scikit-learn models are.
                self.modelFile = try Self.skopsFile(
                    lightgbm, named: lightgbm["data"], what: "The LightGBM \(modelClass)", logger: "mlflow.lightgbm",
                    in: folder)
                self.flavor = .sklearn(predictFunction: "predict")
            }
        } else {
            let names = flavors.keys.sorted().joined(separator: ", ")
            throw ServingError.invalidModel(
                "The model at \(folder.path) has no onnx, sklearn, xgboost or lightgbm flavor (it has: \(names.isEmpty ? "none" : names)). "
                    + "Kaizen serves ONNX, scikit-learn (skops), XGBoost and LightGBM models: convert others with skl2onnx or onnxmltools and log with "
                    + "mlflow.onnx.log_model"
            )
        }
        if let signature = document["signature"] as? [String: Any], let inputs = signature["inputs"] as? String {
            self.signature = try ModelSignature(parsingJSON: inputs)
        }
        if let signature = document["signature"] as? [String: Any], let params = signature["params"] as? String {
            self.params = ParamSpec.list(parsingJSON: params)
        }
        self.servingExample = Self.servingExample(document, in: folder)
        self.modelID = document["model_id"] as? String
        self.runID = document["run_id"] as? String
    }

    /// The skops file a flavor names (`model.skops` by default); a model saved with pickle or cloudpickle, which
    /// run code when loaded, is refused.
    static func skopsFile(
        _ flavor: [String: Any], named name: Any?, what: String, logger: String, in folder: URL
    ) throws(ServingError) -> URL {
        let format = flavor["serialization_format"] as? String ?? "cloudpickle"
        guard format == "skops" else {
            throw ServingError.invalidModel(
                "\(what) at \(folder.path) is saved with \(format), which runs code when loaded; Kaizen reads skops "
                    + "files (\(logger).log_model's default, serialization_format='skops')")
        }
        return try file(named: name as? String ?? "model.skops", inside: folder)
    }

    /// The file `name` inside `folder`; a name that is absolute, climbs out with `..`, or leads out through a
    /// symbolic link is refused.
    static func file(
        named name: String, inside folder: URL, what: String = "model file"
    ) throws(ServingError) -> URL {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0"), !name.contains("\\"),
            parts.allSatisfy({ $0 != ".." && !$0.isEmpty })
        else {
            throw ServingError.invalidModel(
                "MLmodel names the \(what) '\(name)', which is not inside the model folder")
        }
        let root = folder.standardizedFileURL.resolvingSymlinksInPath().path
        let file = folder.appendingPathComponent(name).standardizedFileURL.resolvingSymlinksInPath()
        guard file.path.hasPrefix(root + "/") else {
            throw ServingError.invalidModel(
                "MLmodel names the \(what) '\(name)', which leads out of the model folder")
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ServingError.invalidModel("MLmodel names the \(what) '\(name)', which is missing")
        }
        return file
    }
}
