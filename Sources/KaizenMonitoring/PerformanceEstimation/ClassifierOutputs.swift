public import KaizenCore

/// What a classifier produced for a set of rows, and optionally what the right answers were: the input of
/// performance estimation.
///
/// Binary outputs have one probability column, P(class 1), and predictions and targets of 0 or 1. Multiclass outputs
/// have one probability column per class, in the order of `classes`, and predictions and targets given as indices
/// into `classes`. NannyML processes classes in sorted order (`sorted(y_pred_proba.keys())`); pass them sorted to
/// reproduce its arithmetic to the bit.
public struct ClassifierOutputs: Sendable {
    /// Binary or multiclass.
    public enum Problem: String, Sendable, Hashable {
        case binary = "classification_binary"
        case multiclass = "classification_multiclass"
    }

    /// Binary or multiclass.
    public let problem: Problem
    /// The class labels: `["0", "1"]` for binary outputs.
    public let classes: [String]
    /// Probability columns: one (P(class 1)) for binary outputs, one per class for multiclass outputs.
    public let probabilities: [[Double]]
    /// The predicted class of each row, as an index into `classes`.
    public let predictions: [Int]
    /// The true class of each row as an index into `classes`, nil where unknown; nil when no row has one.
    public let targets: [Int?]?

    /// The number of rows.
    public var rowCount: Int { predictions.count }

    /// Binary outputs: P(class 1) per row, predicted class (0 or 1), true class (0, 1 or nil) when known.
    public static func binary(
        probabilities: [Double], predictions: [Int], targets: [Int?]? = nil
    ) throws(KaizenError) -> ClassifierOutputs {
        let outputs = ClassifierOutputs(
            problem: .binary, classes: ["0", "1"], probabilities: [probabilities], predictions: predictions,
            targets: targets)
        try outputs.validate()
        return outputs
    }

    /// Multiclass outputs (at least 3 classes): one probability column per class, predicted and true classes as
    /// indices into `classes`.
    public static func multiclass(
        classes: [String], probabilities: [[Double]], predictions: [Int], targets: [Int?]? = nil
    ) throws(KaizenError) -> ClassifierOutputs {
        guard classes.count >= 3 else {
            // NannyML's label_binarize turns two classes into a single column and its multiclass path breaks.
            throw KaizenError.invalidParameter("multiclass outputs need at least 3 classes; use binary outputs for 2")
        }
        guard Set(classes).count == classes.count else {
            throw KaizenError.invalidParameter("class labels must be distinct")
        }
        let outputs = ClassifierOutputs(
            problem: .multiclass, classes: classes, probabilities: probabilities, predictions: predictions,
            targets: targets)
        try outputs.validate()
        return outputs
    }

    private init(problem: Problem, classes: [String], probabilities: [[Double]], predictions: [Int], targets: [Int?]?) {
        self.problem = problem
        self.classes = classes
        self.probabilities = probabilities
        self.predictions = predictions
        self.targets = targets
    }

    private func validate() throws(KaizenError) {
        let expectedColumns = problem == .binary ? 1 : classes.count
        guard probabilities.count == expectedColumns else {
            throw KaizenError.invalidParameter(
                "\(probabilities.count) probability columns for \(classes.count) classes")
        }
        for column in probabilities {
            guard column.count == rowCount else {
                throw KaizenError.invalidParameter(
                    "a probability column has \(column.count) rows, predictions have \(rowCount)")
            }
            if let bad = column.firstIndex(where: { !$0.isFinite }) {
                throw KaizenError.invalidParameter("probability on row \(bad) is not a finite number")
            }
        }
        if let bad = predictions.firstIndex(where: { !classes.indices.contains($0) }) {
            throw KaizenError.invalidParameter(
                "prediction on row \(bad) is \(predictions[bad]), not one of \(classes.count) classes")
        }
        if let targets {
            guard targets.count == rowCount else {
                throw KaizenError.invalidParameter("\(targets.count) targets for \(rowCount) predictions")
            }
            if let bad = targets.firstIndex(where: { $0.map { !classes.indices.contains($0) } ?? false }) {
                throw KaizenError.invalidParameter("target on row \(bad) is not one of the classes")
            }
        }
    }
}
