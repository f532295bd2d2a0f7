import Foundation
import KaizenCore

extension ModelPackage {
    /// The largest serving input example read; a larger one is left out (the model still loads).
    static let maximumExampleBytes = 1 << 20

    /// The request MLflow saved beside the model when it was logged with an `input_example`
    /// (`serving_input_example.json`, or the file `saved_input_example_info.serving_input_path` names), parsed; nil
    /// when there is none, or it is larger than `maximumExampleBytes`, outside the folder or not JSON. The example only
    /// helps callers, so a bad one never stops the model from loading.
    static func servingExample(_ document: [String: Any], in folder: URL) -> JSONValue? {
        let info = document["saved_input_example_info"] as? [String: Any]
        let name = info?["serving_input_path"] as? String ?? "serving_input_example.json"
        guard let file = try? file(named: name, inside: folder, what: "serving input example"),
            let bytes = try? NativeFlavors.read(file, limit: maximumExampleBytes),
            let example = try? JSONValue(parsing: bytes)
        else { return nil }
        return example.replacingNaN()
    }
}

extension JSONValue {
    /// The value with `NaN` (which Python's `json` writes for a missing value in a DataFrame) as `null`.
    fileprivate func replacingNaN() -> JSONValue {
        switch self {
        case .double(let value) where value.isNaN: .null
        case .array(let items): .array(items.map { $0.replacingNaN() })
        case .object(let fields): .object(fields.map { ($0, $1.replacingNaN()) })
        default: self
        }
    }
}
