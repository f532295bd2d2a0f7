/// The per-chunk formulas: a metric estimated from predictions and calibrated probabilities (NannyML's `estimate_*`
/// functions), and the same metric realized from targets (scikit-learn's scores, as NannyML calls them).
package enum ChunkMetrics {
    // MARK: Estimated

    /// A binary metric's estimate: expected confusion counts from P(class 1) of each row, TP = Σ[ŷ=1]·p,
    /// FP = Σ[ŷ=1]·(1−p), FN = Σ[ŷ=0]·p, TN = Σ[ŷ=0]·(1−p), each summed as NumPy sums them.
    package static func estimatedBinary(
        _ metric: PerformanceMetric, predictions: [Int], calibrated: [Double], uncalibrated: [Double]
    ) -> Double {
        let n = predictions.count
        func expected(_ value: (Int, Double) -> Double) -> Double {
            var terms = [Double](repeating: 0, count: n)
            for row in 0..<n { terms[row] = value(predictions[row], calibrated[row]) }
            return NumPyArithmetic.sum(terms)
        }
        switch metric {
        case .accuracy:
            let truePositives = expected { $0 == 1 ? $1 : 0 }
            let trueNegatives = expected { $0 == 0 ? 1 - $1 : 0 }
            return (truePositives + trueNegatives) / Double(n)
        case .precision:
            let truePositives = expected { $0 == 1 ? $1 : 0 }
            let falsePositives = expected { $0 == 1 ? 1 - $1 : 0 }
            let denominator = truePositives + falsePositives
            return denominator != 0 ? truePositives / denominator : 0
        case .recall:
            let truePositives = expected { $0 == 1 ? $1 : 0 }
            let falseNegatives = expected { $0 == 0 ? $1 : 0 }
            let denominator = truePositives + falseNegatives
            return denominator != 0 ? truePositives / denominator : 0
        case .f1:
            let truePositives = expected { $0 == 1 ? $1 : 0 }
            let falsePositives = expected { $0 == 1 ? 1 - $1 : 0 }
            let falseNegatives = expected { $0 == 0 ? $1 : 0 }
            let denominator = truePositives + 0.5 * (falsePositives + falseNegatives)
            return denominator != 0 ? truePositives / denominator : 0
        case .rocAUC:
            return ROCAUC.estimate(calibrated: calibrated, uncalibrated: uncalibrated)
        }
    }

    /// A multiclass metric's estimate from row-normalised calibrated columns: accuracy is the mean calibrated
    /// probability of the predicted class; the others are macro averages of the binary estimate per class.
    package static func estimatedMulticlass(
        _ metric: PerformanceMetric, predictions: [Int], calibrated: [[Double]], uncalibrated: [[Double]]
    ) -> Double {
        if metric == .accuracy {
            return NumPyArithmetic.mean(predictions.indices.map { calibrated[predictions[$0]][$0] })
        }
        let perClass = calibrated.indices.map { k in
            estimatedBinary(
                metric, predictions: predictions.map { $0 == k ? 1 : 0 }, calibrated: calibrated[k],
                uncalibrated: uncalibrated[k])
        }
        return NumPyArithmetic.mean(perClass)
    }

    // MARK: Realized

    /// A binary metric as NannyML realizes it: NaN when targets (or, except for accuracy, predictions; for ROC AUC
    /// targets only) hold a single value; zero where a ratio has no denominator, as scikit-learn's
    /// `zero_division="warn"` gives.
    package static func realizedBinary(
        _ metric: PerformanceMetric, targets: [Int], predictions: [Int], uncalibrated: [Double]
    ) -> Double {
        guard !targets.isEmpty else { return .nan }
        let singleTarget = Set(targets).count <= 1
        let singlePrediction = Set(predictions).count <= 1
        switch metric {
        case .accuracy:
            return accuracy(targets, predictions)
        case .precision, .recall, .f1:
            if singleTarget || singlePrediction { return .nan }
            return binaryScore(metric, targets: targets, predictions: predictions, positive: 1)
        case .rocAUC:
            if singleTarget { return .nan }
            return ROCAUC.score(targets: targets, scores: uncalibrated)
        }
    }

    /// A multiclass metric as NannyML realizes it: NaN when targets or predictions hold a single class, and ROC AUC
    /// NaN unless every class occurs among the targets; macro averages over the classes otherwise.
    package static func realizedMulticlass(
        _ metric: PerformanceMetric, targets: [Int], predictions: [Int], uncalibrated: [[Double]]
    ) -> Double {
        guard !targets.isEmpty else { return .nan }
        let classCount = uncalibrated.count
        switch metric {
        case .accuracy, .precision, .recall, .f1:
            if Set(targets).count <= 1 || Set(predictions).count <= 1 { return .nan }
            if metric == .accuracy { return accuracy(targets, predictions) }
            let perClass = (0..<classCount).map {
                binaryScore(metric, targets: targets, predictions: predictions, positive: $0)
            }
            return NumPyArithmetic.mean(perClass)
        case .rocAUC:
            if Set(targets).count != classCount { return .nan }
            let perClass = (0..<classCount).map { k in
                ROCAUC.score(targets: targets.map { $0 == k ? 1 : 0 }, scores: uncalibrated[k])
            }
            return NumPyArithmetic.mean(perClass)
        }
    }

    /// Whether every row's probabilities sum to 1 as `np.allclose` judges it, which scikit-learn's multiclass ROC
    /// AUC demands.
    package static func rowsSumToOne(_ columns: [[Double]], rows: Range<Int>) -> Bool {
        rows.allSatisfy { row in
            var total = 0.0
            for column in columns { total += column[row] }
            return abs(1 - total) <= 1e-8 + 1e-5 * abs(total)
        }
    }

    private static func accuracy(_ targets: [Int], _ predictions: [Int]) -> Double {
        let correct = zip(targets, predictions).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(targets.count)
    }

    /// Precision, recall or F1 of one class against the rest, from integer counts.
    private static func binaryScore(
        _ metric: PerformanceMetric, targets: [Int], predictions: [Int], positive: Int
    ) -> Double {
        var truePositives = 0
        var predicted = 0
        var actual = 0
        for (target, prediction) in zip(targets, predictions) {
            if prediction == positive { predicted += 1 }
            if target == positive { actual += 1 }
            if target == positive && prediction == positive { truePositives += 1 }
        }
        let (numerator, denominator): (Int, Int)
        switch metric {
        case .precision: (numerator, denominator) = (truePositives, predicted)
        case .recall: (numerator, denominator) = (truePositives, actual)
        default: (numerator, denominator) = (2 * truePositives, predicted + actual)
        }
        return denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
