/// A regressor's performance on labelled rows, as scikit-learn's `mean_absolute_error`, `root_mean_squared_error`
/// and `r2_score` compute it (R² is 1 for a perfect fit of constant targets and 0 for an imperfect one, scikit-learn's
/// `force_finite`).
public struct RegressionMetrics: Sendable, Equatable {
    public var rows: Int
    public var meanAbsoluteError: Double
    public var rootMeanSquaredError: Double
    public var r2: Double

    /// Figures for `truth` against `predicted`, the same length, at least one row.
    public init(truth: [Double], predicted: [Double]) {
        precondition(truth.count == predicted.count && !truth.isEmpty)
        rows = truth.count
        let n = Double(rows)
        var absolute = 0.0
        var squared = 0.0
        for (actual, guess) in zip(truth, predicted) {
            absolute += abs(actual - guess)
            squared += (actual - guess) * (actual - guess)
        }
        meanAbsoluteError = absolute / n
        rootMeanSquaredError = (squared / n).squareRoot()
        let mean = truth.reduce(0, +) / n
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        r2 = total == 0 ? (squared == 0 ? 1 : 0) : 1 - squared / total
    }
}
