import KaizenCore
import KaizenONNX

/// What a model takes, as an MLmodel file's `signature.inputs` describes it: named, typed columns
/// (a DataFrame schema) or tensors with a NumPy dtype and a shape.
public enum ModelSignature: Sendable, Equatable {
    case columns([ColumnSpec])
    case tensors([TensorSpec])

    /// Parses the JSON text that MLflow stores (as a YAML string) under `signature.inputs`.
    public init(parsingJSON text: String) throws(ServingError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            throw ServingError.invalidModel("The MLmodel signature is not valid JSON: \(error)")
        }
        guard let specs = value.arrayValue, !specs.isEmpty else {
            throw ServingError.invalidModel("The MLmodel signature must be a non-empty list of column or tensor specs")
        }
        if specs.allSatisfy({ $0["type"]?.stringValue == "tensor" }) {
            self = .tensors(try specs.map(TensorSpec.init(parsing:)))
        } else {
            self = .columns(try specs.map(ColumnSpec.init(parsing:)))
        }
    }
}
