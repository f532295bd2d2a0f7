import KaizenArtifacts
import KaizenCore

/// Estimated accuracy of live windows before their labels arrive: a window of logged traffic with feedback, set as
/// the reference, keeps its classifier outputs and labels, and every later window of a classifier that logs one
/// probability per class is estimated from them as `kaizen monitor estimate` (NannyML's CBPE) estimates a chunk.
extension MonitorService {
    /// The column the feedback labels take in the performance reference.
    static let targetColumn = "kaizen.target"
    /// The fewest labelled rows kept as a performance reference.
    public static let minimumLabelledReference = 20

    /// The logged outputs a classifier's predicted label is read from, in order of preference.
    static let labelColumns = ["output.label", "output.output_label"]
    /// The prefixes of a classifier's per-class probability columns in the log, in order of preference.
    static let probabilityPrefixes = ["output.probabilities_", "output.output_probability_", "output.probability_"]

    static func performanceReferencePath(_ endpoint: String) throws(KaizenError) -> ArtifactPath {
        try ArtifactPath(validating: "monitoring/\(endpoint)/reference/performance.json.gz")
    }

    /// Where a classifier's outputs are in the log: one probability column per class
    /// (`output.probabilities_<class>`, or `output.output_probability_<class>`) beside the prediction. Two classes
    /// must be 0 and 1; nil when the log has no such columns.
    static func classifierColumns(_ table: DataTable, prediction: String) -> ClassifierOutputs.Columns? {
        for base in probabilityPrefixes {
            let pairs = table.columns.filter { $0.name.hasPrefix(base) }.map {
                ClassifierOutputs.Columns.ClassColumn(label: String($0.name.dropFirst(base.count)), column: $0.name)
            }
            if pairs.count == 2, Set(pairs.map(\.label)) == ["0", "1"] {
                return .init(probabilities: .binary(base + "1"), prediction: prediction, target: targetColumn)
            }
            if pairs.count >= 3 {
                return .init(probabilities: .multiclass(pairs), prediction: prediction, target: targetColumn)
            }
        }
        return nil
    }

    /// Keeps the labelled `rows` of a log window as the endpoint's performance reference; returns how many rows
    /// were kept, 0 when the log has no class probabilities or fewer than `minimumLabelledReference` labelled rows
    /// (the previous performance reference then stays).
    func keepPerformanceReference(
        endpoint: String, table: DataTable, rows: [Int], labels: [Int: FeedbackLabel]
    ) async throws -> Int {
        let labelled = rows.filter { labels[$0] != nil }
        guard labelled.count >= Self.minimumLabelledReference,
            let prediction = Self.labelColumns.first(where: { table[$0] != nil }),
            let columns = Self.classifierColumns(table, prediction: prediction)
        else { return 0 }
        var selected = table.selecting(rows: labelled) { $0.hasPrefix("output.") }
        selected.columns.append(Self.targets(labelled.map { labels[$0]! }))
        let outputs = try ClassifierOutputs(table: selected, columns: columns)
        // An estimator must be able to learn from it, or it is no reference.
        _ = try PerformanceEstimator(reference: outputs, options: .init(metrics: [.accuracy], chunking: .count(1)))
        try await writeCompressed(
            Self.serialized(outputs).serialized(), to: try Self.performanceReferencePath(endpoint))
        return labelled.count
    }

    /// The endpoint's performance reference, nil when it has none.
    func performanceReference(endpoint: String) async throws -> ClassifierOutputs? {
        guard
            let text = try await readCompressed(
                try Self.performanceReferencePath(endpoint), source: "The performance reference of \(endpoint)")
        else { return nil }
        return try Self.outputs(try JSONValue(parsing: text))
    }

    /// The share of the reference's rows whose prediction is their label.
    static func accuracy(of reference: ClassifierOutputs) -> Double {
        let targets = reference.targets ?? []
        let correct = zip(reference.predictions, targets).filter { $0 == $1 }.count
        return Double(correct) / Double(max(1, targets.count))
    }

    /// The estimated accuracy of the log's `rows` against `reference` (whose own accuracy is `referenceAccuracy`),
    /// the window as one chunk; nil when the window's outputs do not have the reference's classes.
    static func estimate(
        reference: ClassifierOutputs, referenceAccuracy: Double, table: DataTable, rows: [Int],
        columns: ClassifierOutputs.Columns
    ) throws(KaizenError) -> MonitorReport.Estimate? {
        let window = try ClassifierOutputs(
            table: table.selecting(rows: rows) { $0.hasPrefix("output.") },
            columns: columns)
        guard window.problem == reference.problem, window.classes == reference.classes else { return nil }
        let estimator = try PerformanceEstimator(
            reference: reference, options: .init(metrics: [.accuracy], chunking: .size(rows.count)))
        guard let figures = try estimator.estimate(window).chunks.first?[.accuracy] else { return nil }
        return MonitorReport.Estimate(
            accuracy: figures.estimated, lowerBound: figures.lowerBound, upperBound: figures.upperBound,
            referenceAccuracy: referenceAccuracy, referenceRows: reference.rowCount)
    }

    /// Feedback labels as a column: numbers when every label is a number or a boolean, text otherwise.
    static func targets(_ labels: [FeedbackLabel]) -> DataColumn {
        var numbers: [Double] = []
        for label in labels {
            switch label {
            case .number(let value): numbers.append(value)
            case .bool(let flag): numbers.append(flag ? 1 : 0)
            case .text: break
            }
        }
        if numbers.count == labels.count {
            return DataColumn(name: targetColumn, values: .numbers(numbers, integral: false, boolean: false))
        }
        var codes: [Int32] = []
        var names: [String] = []
        var known: [String: Int32] = [:]
        for label in labels {
            let text: String
            switch label {
            case .number(let value): text = value.labelText
            case .bool(let flag): text = flag ? "True" : "False"
            case .text(let value): text = value
            }
            if known[text] == nil {
                known[text] = Int32(names.count)
                names.append(text)
            }
            codes.append(known[text]!)
        }
        return DataColumn(name: targetColumn, values: .labels(codes: codes, labels: names))
    }

    static func serialized(_ outputs: ClassifierOutputs) -> JSONValue {
        .object([
            ("problem", .string(outputs.problem.rawValue)), ("classes", .array(outputs.classes.map(JSONValue.string))),
            ("probabilities", .array(outputs.probabilities.map { .array($0.map(JSONValue.double)) })),
            ("predictions", .array(outputs.predictions.map { .integer(Int64($0)) })),
            ("targets", .array((outputs.targets ?? []).map { $0.map { .integer(Int64($0)) } ?? .null })),
        ])
    }

    static func outputs(_ json: JSONValue) throws(KaizenError) -> ClassifierOutputs {
        guard let problem = json["problem"]?.stringValue.flatMap(ClassifierOutputs.Problem.init(rawValue:)),
            let classes = json["classes"]?.arrayValue?.compactMap(\.stringValue),
            let probabilities = json["probabilities"]?.arrayValue?.map({ $0.arrayValue?.compactMap(\.doubleValue) }),
            let predictions = json["predictions"]?.arrayValue?.compactMap(\.int64Value),
            let targets = json["targets"]?.arrayValue
        else {
            throw KaizenError(.internalError, "The stored performance reference is not readable")
        }
        let columns = probabilities.compactMap { $0 }
        let rows = predictions.map(Int.init)
        let known = targets.map { $0.int64Value.map(Int.init) }
        switch problem {
        case .binary:
            return try .binary(probabilities: columns.first ?? [], predictions: rows, targets: known)
        case .multiclass:
            return try .multiclass(classes: classes, probabilities: columns, predictions: rows, targets: known)
        }
    }
}
