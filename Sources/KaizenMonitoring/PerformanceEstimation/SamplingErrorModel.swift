/// The reference-derived constants from which NannyML scales a metric's sampling error to a chunk's size
/// (`nannyml.sampling_error`), each built from the reference as NannyML builds it.
package enum SamplingErrorModel: Sendable, Hashable {
    /// SE = s / √n: the standard error of a mean (accuracy).
    case mean(standardDeviation: Double)
    /// SE = s / √(n · f): a mean over the share f of rows that the metric looks at (binary precision, recall, F1,
    /// ROC AUC).
    case share(standardDeviation: Double, fraction: Double)
    /// SE = √(Σₖ vₖ / (n · fₖ)) / K · scale: per-class variances and shares (multiclass macro metrics; the scale is
    /// 1.2 for ROC AUC, 1 otherwise).
    case classes(variances: [Double], fractions: [Double], scale: Double)

    /// The sampling error of a chunk of `rows` rows.
    package func error(rows: Int) -> Double {
        let n = Double(rows)
        switch self {
        case .mean(let deviation):
            return deviation / n.squareRoot()
        case .share(let deviation, let fraction):
            return deviation / (n * fraction).squareRoot()
        case .classes(let variances, let fractions, let scale):
            let terms = zip(variances, fractions).map { $0 / (n * $1) }
            return NumPyArithmetic.sum(terms).squareRoot() / Double(terms.count) * scale
        }
    }

    /// The model for a binary metric from the reference targets, predictions and uncalibrated probabilities.
    package static func binary(
        _ metric: PerformanceMetric, targets: [Int], predictions: [Int], probabilities: [Double]
    ) -> SamplingErrorModel {
        let rows = Double(targets.count)
        switch metric {
        case .accuracy:
            let correct = zip(targets, predictions).map { $0 == $1 ? 1.0 : 0.0 }
            return .mean(standardDeviation: NumPyArithmetic.standardDeviation(correct))
        case .precision:
            let counts = Outcomes(targets: targets, predictions: predictions)
            let values = counts.observations(truePositives: 1, falseNegatives: nil, falsePositives: 0)
            let fraction = Double(predictions.reduce(0, +)) / rows
            return .share(standardDeviation: NumPyArithmetic.standardDeviation(values), fraction: fraction)
        case .recall:
            let counts = Outcomes(targets: targets, predictions: predictions)
            let values = counts.observations(truePositives: 1, falseNegatives: 0, falsePositives: nil)
            let fraction = Double(targets.reduce(0, +)) / rows
            return .share(standardDeviation: NumPyArithmetic.standardDeviation(values), fraction: fraction)
        case .f1:
            let counts = Outcomes(targets: targets, predictions: predictions)
            let values = counts.observations(truePositives: 1, falseNegatives: 0, falsePositives: 0)
            guard !values.isEmpty else { return .share(standardDeviation: .nan, fraction: 0) }
            let correction =
                Double(values.count)
                / (Double(counts.falseNegatives + counts.falsePositives) * 0.5 + Double(counts.truePositives))
            let deviation = NumPyArithmetic.standardDeviation(values.map { $0 * correction })
            return .share(standardDeviation: deviation, fraction: Double(values.count) / rows)
        case .rocAUC:
            let (values, fraction) = rankComponents(targets: targets, scores: probabilities)
            return .share(standardDeviation: NumPyArithmetic.standardDeviation(values), fraction: fraction)
        }
    }

    /// The model for a multiclass metric from the reference targets, predictions (class indices) and uncalibrated
    /// probability columns.
    package static func multiclass(
        _ metric: PerformanceMetric, targets: [Int], predictions: [Int], probabilities: [[Double]]
    ) -> SamplingErrorModel {
        let classCount = probabilities.count
        let rows = Double(targets.count)
        if metric == .accuracy {
            let correct = zip(targets, predictions).map { $0 == $1 ? 1.0 : 0.0 }
            return .mean(standardDeviation: NumPyArithmetic.standardDeviation(correct))
        }
        var variances: [Double] = []
        var fractions: [Double] = []
        for k in 0..<classCount {
            let classTargets = targets.map { $0 == k ? 1 : 0 }
            let classPredictions = predictions.map { $0 == k ? 1 : 0 }
            let counts = Outcomes(targets: classTargets, predictions: classPredictions)
            switch metric {
            case .precision:
                let values = counts.observations(truePositives: 1, falseNegatives: nil, falsePositives: 0)
                variances.append(NumPyArithmetic.variance(values))
                fractions.append(Double(classPredictions.reduce(0, +)) / rows)
            case .recall:
                let values = counts.observations(truePositives: 1, falseNegatives: 0, falsePositives: nil)
                variances.append(NumPyArithmetic.variance(values))
                fractions.append(Double(classTargets.reduce(0, +)) / rows)
            case .f1:
                // Unlike the binary case, NannyML applies no correcting factor here.
                let values = counts.observations(truePositives: 1, falseNegatives: 0, falsePositives: 0)
                variances.append(NumPyArithmetic.variance(values))
                fractions.append(Double(values.count) / rows)
            case .rocAUC:
                let (values, fraction) = rankComponents(targets: classTargets, scores: probabilities[k])
                variances.append(NumPyArithmetic.variance(values))
                fractions.append(fraction)
            case .accuracy:
                break
            }
        }
        return .classes(variances: variances, fractions: fractions, scale: metric == .rocAUC ? 1.2 : 1)
    }

    /// NannyML's `auroc_sampling_error_components` before its final deviation: with the minority class as
    /// positive, each positive's count of negatives ranked below it (scaled by the number of negatives), and the
    /// share of positives.
    ///
    /// Rows are ranked by a stable sort where NumPy's quicksort would order tied scores its own way. NannyML also
    /// drops a positive ranked first (its rank 0 is taken for a negative's), which is kept here.
    private static func rankComponents(targets: [Int], scores: [Double]) -> (values: [Double], fraction: Double) {
        var labels = targets
        var values = scores
        if NumPyArithmetic.mean(labels.map(Double.init)) > 0.5 {
            labels = labels.map { abs($0 - 1) }
            values = values.map { 1 - $0 }
        }
        let order = StableOrder.ascending(values)
        let positiveRanks = Set(order.enumerated().map { rank, row in labels[row] * rank }).sorted().dropFirst()
        let positives = labels.reduce(0, +)
        let negatives = Double(labels.count - positives)
        let series = positiveRanks.enumerated().map { Double($1 - $0) / negatives }
        return (series, Double(positives) / Double(labels.count))
    }
}

/// Counts of true positives, false negatives and false positives, and NannyML's per-observation vectors built from
/// them (all true positives, then false negatives, then false positives, in that order).
private struct Outcomes {
    var truePositives = 0
    var falseNegatives = 0
    var falsePositives = 0

    init(targets: [Int], predictions: [Int]) {
        for (target, prediction) in zip(targets, predictions) {
            if target == prediction && prediction == 1 { truePositives += 1 }
            if target != prediction && prediction == 0 { falseNegatives += 1 }
            if target != prediction && prediction == 1 { falsePositives += 1 }
        }
    }

    func observations(truePositives tp: Double, falseNegatives fn: Double?, falsePositives fp: Double?) -> [Double] {
        var values = [Double](repeating: tp, count: truePositives)
        if let fn { values += [Double](repeating: fn, count: falseNegatives) }
        if let fp { values += [Double](repeating: fp, count: falsePositives) }
        return values
    }
}
