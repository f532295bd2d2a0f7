/// A classifier's performance on labelled rows, as scikit-learn's `accuracy_score`, `precision_recall_fscore_support`
/// (per class, and the macro average over the classes seen in either the labels or the predictions, with 0 where a
/// ratio has no denominator) and `roc_auc_score` (two classes, given the positive class's probability) compute it.
public struct ClassificationMetrics: Sendable, Equatable {
    /// One class's figures.
    public struct PerClass: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Rows whose true label is the class.
        public var support: Int
    }

    public var rows: Int
    public var accuracy: Double
    /// Classes in scikit-learn's order (numbers by value, then text), with their figures.
    public var classes: [(label: String, figures: PerClass)]
    public var macroPrecision: Double
    public var macroRecall: Double
    public var macroF1: Double
    /// With two classes and the positive (larger) class's probabilities: the area under the ROC curve.
    public var rocAUC: Double?

    public static func == (a: Self, b: Self) -> Bool {
        a.rows == b.rows && a.accuracy == b.accuracy && a.classes.map(\.label) == b.classes.map(\.label)
            && a.classes.map(\.figures) == b.classes.map(\.figures) && a.macroF1 == b.macroF1 && a.rocAUC == b.rocAUC
    }

    /// Figures for `truth` against `predicted` (the same length, at least one row), labels as canonical text
    /// (`PredictionLabel`); `positiveScores`, when given, is P(larger class) per row.
    public init(truth: [PredictionLabel], predicted: [PredictionLabel], positiveScores: [Double]? = nil) {
        precondition(truth.count == predicted.count && !truth.isEmpty)
        rows = truth.count
        let labels = Set(truth).union(predicted).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var truePositives = [Int](repeating: 0, count: labels.count)
        var predictedCount = [Int](repeating: 0, count: labels.count)
        var actualCount = [Int](repeating: 0, count: labels.count)
        var correct = 0
        for (actual, guess) in zip(truth, predicted) {
            let a = index[actual]!
            let g = index[guess]!
            actualCount[a] += 1
            predictedCount[g] += 1
            if a == g {
                truePositives[a] += 1
                correct += 1
            }
        }
        accuracy = Double(correct) / Double(rows)
        classes = labels.indices.map { c in
            let precision = predictedCount[c] == 0 ? 0 : Double(truePositives[c]) / Double(predictedCount[c])
            let recall = actualCount[c] == 0 ? 0 : Double(truePositives[c]) / Double(actualCount[c])
            // scikit-learn's F-score: 2TP / (2TP + FP + FN), 0 when nothing was predicted or expected.
            let denominator = predictedCount[c] + actualCount[c]
            let f1 = denominator == 0 ? 0 : 2 * Double(truePositives[c]) / Double(denominator)
            return (labels[c].text, PerClass(precision: precision, recall: recall, f1: f1, support: actualCount[c]))
        }
        let count = Double(labels.count)
        macroPrecision = classes.reduce(0) { $0 + $1.figures.precision } / count
        macroRecall = classes.reduce(0) { $0 + $1.figures.recall } / count
        macroF1 = classes.reduce(0) { $0 + $1.figures.f1 } / count
        if let positiveScores, labels.count == 2, Set(truth).count == 2 {
            let positive = labels[1]
            rocAUC = ROCAUC.score(targets: truth.map { $0 == positive ? 1 : 0 }, scores: positiveScores)
        } else {
            rocAUC = nil
        }
    }
}

/// A class label compared as scikit-learn compares them after pandas read them: numbers by value, text by text;
/// numbers sort before text.
public enum PredictionLabel: Sendable, Hashable, Comparable {
    case number(Double)
    case text(String)

    /// The label as text: a whole number without a fraction (`1`, not `1.0`).
    public var text: String {
        switch self {
        case .number(let value):
            value.labelText
        case .text(let text): text
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.text(let x), .text(let y)): x < y
        case (.number, .text): true
        case (.text, .number): false
        }
    }
}
