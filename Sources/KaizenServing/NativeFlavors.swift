import Foundation
import KaizenFlavors
import KaizenONNX

/// Loading the models MLflow users log in their library's own format (no conversion to ONNX), through
/// `KaizenFlavors`, with the errors serving reports.
enum NativeFlavors {
    /// The largest native model file read (a 300-tree model is a few megabytes).
    static let maximumBytes = 2 << 30

    /// The classes `mlflow.xgboost` saves and how each predicts.
    static let xgboostClasses: [String: XGBoostModel.Kind] = [
        "xgboost.core.Booster": .booster, "xgboost.sklearn.XGBRegressor": .booster,
        "xgboost.sklearn.XGBRFRegressor": .booster, "xgboost.sklearn.XGBRanker": .booster,
        "xgboost.sklearn.XGBClassifier": .classifier, "xgboost.sklearn.XGBRFClassifier": .classifier,
    ]

    /// An XGBoost model file on the engine, with a column signature from its saved feature names when it has them.
    static func xgboost(
        _ file: URL, format: String, modelClass: String
    ) throws(ServingError) -> (engine: ONNXModel, signature: ModelSignature?) {
        guard let kind = xgboostClasses[modelClass] else {
            throw ServingError.invalidModel(
                "XGBoost model class '\(modelClass)' is not supported; Kaizen serves "
                    + xgboostClasses.keys.sorted().joined(separator: ", "))
        }
        let bytes = try read(file)
        do {
            let model = try XGBoostModel(bytes: bytes, format: format)
            let signature: ModelSignature? =
                model.featureNames.count == model.features
                ? .columns(model.featureNames.map { ColumnSpec(name: $0, type: .double) }) : nil
            return (try model.engine(kind: kind), signature)
        } catch {
            throw ServingError.invalidModel("Cannot load \(file.lastPathComponent): \(error.message)")
        }
    }

    /// A scikit-learn model saved with skops on the engine, with a column signature from `feature_names_in_`.
    static func sklearn(
        _ file: URL, predictFunction: String
    ) throws(ServingError) -> (engine: ONNXModel, signature: ModelSignature?) {
        guard let method = SklearnModel.Method(rawValue: predictFunction) else {
            throw ServingError.invalidModel(
                "The scikit-learn model is served through '\(predictFunction)'; Kaizen computes 'predict' and "
                    + "'predict_proba'")
        }
        let bytes = try read(file)
        do {
            let model = try SklearnModel(bytes: bytes)
            let engine = try model.engine(method: method)
            let names = model.featureNames
            // A model reading text takes one input per column, named and typed as fitted.
            let text = Set(
                engine.inputs.filter { if case .tensor(.string, _) = $0.type { true } else { false } }.map(\.name))
            let signature: ModelSignature? =
                names.isEmpty
                ? nil : .columns(names.map { ColumnSpec(name: $0, type: text.contains($0) ? .string : .double) })
            return (engine, signature)
        } catch {
            throw ServingError.invalidModel("Cannot load \(file.lastPathComponent): \(error.message)")
        }
    }

    /// A LightGBM text model on the engine.
    static func lightgbm(_ file: URL) throws(ServingError) -> (engine: ONNXModel, signature: ModelSignature?) {
        let bytes = try read(file)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ServingError.invalidModel("\(file.lastPathComponent) is not a LightGBM text model (not UTF-8)")
        }
        do {
            // No signature from the feature names: LightGBM writes them with spaces as underscores, and its predict
            // takes a DataFrame's columns by position, as Kaizen then does.
            return (try LightGBMModel(text: text).engine(), nil)
        } catch {
            throw ServingError.invalidModel("Cannot load \(file.lastPathComponent): \(error.message)")
        }
    }

    /// The bytes of a file of the model folder, refused past `limit` bytes.
    static func read(_ file: URL, limit: Int = maximumBytes) throws(ServingError) -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        guard size <= limit else {
            throw ServingError.invalidModel("\(file.lastPathComponent) is \(size) bytes, more than \(limit)")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ServingError.invalidModel("Cannot read \(file.lastPathComponent)")
        }
        return [UInt8](data)
    }
}
