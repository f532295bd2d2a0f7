/// The area under the ROC curve: measured from targets as scikit-learn measures it, and estimated from calibrated
/// probabilities as NannyML's CBPE estimates it.
public enum ROCAUC {
    /// `sklearn.metrics.roc_auc_score` for binary targets (1 is positive): the trapezoid area under the ROC curve
    /// with tied scores grouped and collinear points dropped. NaN when the targets hold a single class.
    public static func score(targets: [Int], scores: [Double]) -> Double {
        let count = min(targets.count, scores.count)
        guard count > 0 else { return .nan }
        // Descending score; ties are grouped below, so their order does not matter.
        let order = (0..<count).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }
        var truePositives: [Double] = []
        var falsePositives: [Double] = []
        var positives = 0.0
        for (rank, row) in order.enumerated() {
            positives += targets[row] == 1 ? 1 : 0
            let lastOfGroup = rank == count - 1 || scores[order[rank + 1]] != scores[row]
            if lastOfGroup {
                truePositives.append(positives)
                falsePositives.append(Double(rank + 1) - positives)
            }
        }
        if truePositives.count > 2 {
            // Keep the ends and every corner (a non-zero second difference in either coordinate).
            var keptTrue = [truePositives[0]]
            var keptFalse = [falsePositives[0]]
            for index in 1..<(truePositives.count - 1) {
                let fpsCurvature = falsePositives[index + 1] - 2 * falsePositives[index] + falsePositives[index - 1]
                let tpsCurvature = truePositives[index + 1] - 2 * truePositives[index] + truePositives[index - 1]
                if fpsCurvature != 0 || tpsCurvature != 0 {
                    keptTrue.append(truePositives[index])
                    keptFalse.append(falsePositives[index])
                }
            }
            keptTrue.append(truePositives[truePositives.count - 1])
            keptFalse.append(falsePositives[falsePositives.count - 1])
            truePositives = keptTrue
            falsePositives = keptFalse
        }
        truePositives.insert(0, at: 0)
        falsePositives.insert(0, at: 0)
        guard let totalTrue = truePositives.last, let totalFalse = falsePositives.last, totalTrue > 0, totalFalse > 0
        else { return .nan }
        return NumPyArithmetic.trapezoid(
            y: truePositives.map { $0 / totalTrue }, x: falsePositives.map { $0 / totalFalse })
    }

    /// NannyML's `estimate_roc_auc`: rows in descending order of the uncalibrated score, expected true and false
    /// positives accumulated from the calibrated probabilities, both rounded to 5 decimals, then the trapezoid area.
    ///
    /// NumPy orders tied uncalibrated scores with its unstable default sort; here ties keep the reverse of their row
    /// order (a stable ascending sort, reversed), which is what NumPy gives for small arrays without ties in
    /// practice. Ties in raw model scores are rare; only their order among themselves can move the result.
    public static func estimate(calibrated: [Double], uncalibrated: [Double]) -> Double {
        let count = min(calibrated.count, uncalibrated.count)
        guard count > 0 else { return .nan }
        let ascending = StableOrder.ascending(Array(uncalibrated[0..<count]))
        var truePositives = [Double](repeating: 0, count: count + 1)
        var falsePositives = [Double](repeating: 0, count: count + 1)
        var cumulative = 0.0
        for (rank, row) in ascending.reversed().enumerated() {
            cumulative += calibrated[row]
            truePositives[rank + 1] = NumPyArithmetic.round(cumulative, decimals: 5)
            falsePositives[rank + 1] = NumPyArithmetic.round(Double(1 + rank) - cumulative, decimals: 5)
        }
        let totalTrue = truePositives[count]
        let totalFalse = falsePositives[count]
        let truePositiveRate = truePositives.map { $0 / totalTrue }
        let falsePositiveRate = falsePositives.map { $0 / totalFalse }
        return NumPyArithmetic.trapezoid(y: truePositiveRate, x: falsePositiveRate)
    }
}

/// Sort orders with a defined place for ties.
package enum StableOrder {
    /// The indices of `values` in ascending order of value, ties in index order (NumPy's `argsort(kind="stable")`);
    /// NaN sorts last, as in NumPy.
    package static func ascending(_ values: [Double]) -> [Int] {
        values.indices.sorted { a, b in
            let (x, y) = (values[a], values[b])
            if x.isNaN || y.isNaN { return !x.isNaN && y.isNaN || (x.isNaN && y.isNaN && a < b) }
            return x < y || (x == y && a < b)
        }
    }
}
