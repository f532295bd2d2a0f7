/// How a text model is served: the `kaizen_text` flavor of its `MLmodel` file names the tokenizer, the longest
/// sequence the model reads, and what its output means (labels from the exporter's `id2label`, or an embedding).
///
/// ```yaml
/// flavors:
///   onnx: {data: model.onnx}
///   kaizen_text:
///     tokenizer: tokenizer.json
///     max_length: 128
///     task: text-classification
///     labels: [NEGATIVE, POSITIVE]
/// ```
public struct TextSettings: Sendable, Equatable {
    /// What the model's first output is and what requests get back.
    public enum Task: Sendable, Equatable {
        /// Logits per label: answers carry `label`, `score` and `probabilities` (in the order of `labels`).
        case classification(labels: [String], function: Function)
        /// Token or sentence vectors: answers carry `embedding`, pooled over the tokens when the output has a
        /// sequence axis (`meanPooling`, else the first token's), scaled to unit length when `normalize` is set.
        case embedding(meanPooling: Bool, normalize: Bool)
    }

    /// What turns a classifier's logits into probabilities (as the `function_to_apply` of a text-classification
    /// pipeline).
    public enum Function: String, Sendable, Equatable, CaseIterable {
        case softmax, sigmoid, none
    }

    /// The tokenizer file (`tokenizer.json`) inside the model folder.
    public var tokenizer: String = "tokenizer.json"
    /// Tokens the model reads per text, special tokens included; longer texts are cut.
    public var maximumLength: Int = 512
    public var task: Task
    /// The request column (and Open Inference input) that carries the texts.
    public var textColumn: String = "text"
    /// The column of second texts, for a model that reads pairs.
    public var pairColumn: String?
    /// The id padding uses; by default the tokenizer's own, `[PAD]` or `<pad>`.
    public var paddingID: Int?
    /// The longest text a request may carry, in UTF-8 bytes.
    public var maximumTextBytes: Int = 65_536

    public init(task: Task) {
        self.task = task
    }

    /// Reads the `kaizen_text` flavor of an `MLmodel` file.
    public init(flavor: [String: Any]) throws(ServingError) {
        func invalid(_ message: String) -> ServingError {
            ServingError.invalidModel("The kaizen_text flavor of MLmodel \(message)")
        }
        func integer(_ key: String, default value: Int, least: Int) throws(ServingError) -> Int {
            guard let raw = flavor[key] else { return value }
            guard let number = raw as? Int, number >= least else {
                throw invalid("has \(key) \(raw); it must be a whole number of at least \(least)")
            }
            return number
        }
        func name(_ key: String) throws(ServingError) -> String? {
            guard let raw = flavor[key] else { return nil }
            guard let text = raw as? String, !text.isEmpty else {
                throw invalid("has \(key) \(raw); it must be a name")
            }
            return text
        }
        let taskName = try name("task") ?? "text-classification"
        switch taskName {
        case "text-classification":
            guard let raw = flavor["labels"] as? [Any], !raw.isEmpty else {
                throw invalid("needs labels (the classifier's id2label, in id order) for text-classification")
            }
            let labels = raw.map { "\($0)" }
            guard Set(labels).count == labels.count else { throw invalid("lists a label twice: \(labels)") }
            let functionName = try name("function_to_apply") ?? "softmax"
            guard let function = Function(rawValue: functionName) else {
                throw invalid(
                    "has function_to_apply '\(functionName)'; it must be one of "
                        + Function.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.init(task: .classification(labels: labels, function: function))
        case "feature-extraction":
            let pooling = try name("pooling") ?? "mean"
            guard pooling == "mean" || pooling == "cls" else {
                throw invalid("has pooling '\(pooling)'; it must be mean or cls")
            }
            self.init(
                task: .embedding(meanPooling: pooling == "mean", normalize: flavor["normalize"] as? Bool ?? false))
        default:
            throw invalid("has task '\(taskName)'; Kaizen serves text-classification and feature-extraction")
        }
        tokenizer = try name("tokenizer") ?? tokenizer
        maximumLength = try integer("max_length", default: maximumLength, least: 2)
        textColumn = try name("text_column") ?? textColumn
        pairColumn = try name("pair_column")
        if pairColumn == textColumn { throw invalid("names \(textColumn) as both text_column and pair_column") }
        if flavor["padding_id"] != nil { paddingID = try integer("padding_id", default: 0, least: 0) }
        maximumTextBytes = try integer("max_text_bytes", default: maximumTextBytes, least: 1)
    }

    /// The `kaizen_text` flavor for an `MLmodel` file, as `init(flavor:)` reads it.
    public var flavor: [String: Any] {
        var fields: [String: Any] = [
            "tokenizer": tokenizer, "max_length": maximumLength, "text_column": textColumn,
            "max_text_bytes": maximumTextBytes,
        ]
        switch task {
        case .classification(let labels, let function):
            fields["task"] = "text-classification"
            fields["labels"] = labels
            fields["function_to_apply"] = function.rawValue
        case .embedding(let meanPooling, let normalize):
            fields["task"] = "feature-extraction"
            fields["pooling"] = meanPooling ? "mean" : "cls"
            fields["normalize"] = normalize
        }
        if let pairColumn { fields["pair_column"] = pairColumn }
        if let paddingID { fields["padding_id"] = paddingID }
        return fields
    }
}
