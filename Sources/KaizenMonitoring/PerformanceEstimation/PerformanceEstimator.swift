public import KaizenCore

/// Confidence-based performance estimation (CBPE): a classifier's accuracy, precision, recall, F1 and ROC AUC
/// estimated on data without targets, from its own predicted probabilities, as NannyML 0.13.1's `CBPE` estimates
/// them.
///
/// Fitting on reference data (with targets) decides whether to calibrate the probabilities with isotonic regression
/// (NannyML's check, see `CalibrationCheck`; multiclass: per class, one against the rest), fits the calibrators on
/// the whole reference, and derives each metric's sampling-error constants and its alert thresholds: the mean ± 3
/// standard deviations of the metric realized on the reference's own chunks, clipped to [0, 1]. Estimating then
/// cuts the analysis rows into chunks and, per chunk and metric, reports the estimate from calibrated probabilities
/// (multiclass: renormalised to sum to 1 per row), the realized value where targets exist, the sampling error, a
/// confidence band of ±3 sampling errors clipped to [0, 1], the thresholds, and an alert when the estimate leaves
/// them.
///
/// ```swift
/// let reference = try ClassifierOutputs.binary(probabilities: p, predictions: yHat, targets: y)
/// let estimator = try PerformanceEstimator(reference: reference)
/// let estimate = try estimator.estimate(try ClassifierOutputs.binary(probabilities: q, predictions: qHat))
/// ```
public struct PerformanceEstimator: Sendable {
    /// Whether to calibrate probabilities before estimating.
    public enum CalibrationChoice: String, Sendable, Hashable, CaseIterable {
        /// As NannyML decides (`CalibrationCheck`), per probability column.
        case automatic = "auto"
        /// Always fit isotonic calibration on the reference.
        case always = "on"
        /// Never calibrate (multiclass rows are still renormalised, as NannyML does).
        case never = "off"
    }

    /// The choices of an estimator.
    public struct Options: Sendable, Hashable {
        /// The metrics to estimate, in the order reported.
        public var metrics: [PerformanceMetric]
        /// How reference and analysis rows are cut into chunks.
        public var chunking: Chunking
        /// Whether to calibrate.
        public var calibration: CalibrationChoice

        /// Every metric, NannyML's default chunking, NannyML's calibration decision.
        public init(
            metrics: [PerformanceMetric] = PerformanceMetric.allCases, chunking: Chunking = .automatic,
            calibration: CalibrationChoice = .automatic
        ) {
            self.metrics = metrics
            self.chunking = chunking
            self.calibration = calibration
        }
    }

    /// How one probability column is calibrated, and why.
    public struct ColumnCalibration: Sendable, Hashable {
        /// The class the column belongs to (binary: "1").
        public var label: String
        /// The fitted calibration, or nil when the column is used as it is.
        public var regression: IsotonicRegression?
        /// NannyML's check, when the decision was left to it.
        public var check: CalibrationCheck?

        /// Whether the column is calibrated.
        public var isCalibrated: Bool { regression != nil }
    }

    /// Binary or multiclass, and the classes.
    public let problem: ClassifierOutputs.Problem
    /// The class labels.
    public let classes: [String]
    /// The options the estimator was fitted with.
    public let options: Options
    /// Per probability column, how it is calibrated.
    public let calibration: [ColumnCalibration]
    /// The number of reference rows.
    public let referenceRowCount: Int
    /// Per metric (in `options.metrics` order), the lower and upper alert thresholds from the reference; NaN when
    /// no reference chunk had a realized value.
    public let thresholds: [(lower: Double, upper: Double)]
    let samplingErrors: [SamplingErrorModel]

    /// Fits on reference outputs, which must carry a target on every row.
    public init(reference: ClassifierOutputs, options: Options = Options()) throws(KaizenError) {
        guard !options.metrics.isEmpty else {
            throw KaizenError.invalidParameter("at least one metric is needed")
        }
        guard let optionalTargets = reference.targets else {
            throw KaizenError.invalidParameter("the reference needs targets")
        }
        var targets: [Int] = []
        targets.reserveCapacity(optionalTargets.count)
        for (row, target) in optionalTargets.enumerated() {
            guard let target else {
                throw KaizenError.invalidParameter("the reference has no target on row \(row)")
            }
            targets.append(target)
        }
        guard reference.rowCount > 0 else {
            throw KaizenError.invalidParameter("the reference has no rows")
        }
        let isBinary = reference.problem == .binary
        if !isBinary {
            guard Set(targets).count == reference.classes.count else {
                throw KaizenError.invalidParameter(
                    "every class must occur among the reference targets (NannyML requires it)")
            }
            if options.metrics.contains(.rocAUC),
                !ChunkMetrics.rowsSumToOne(reference.probabilities, rows: 0..<reference.rowCount)
            {
                throw KaizenError.invalidParameter(
                    "multiclass ROC AUC needs reference probabilities that sum to 1 on every row (scikit-learn)")
            }
        }

        problem = reference.problem
        classes = reference.classes
        self.options = options
        referenceRowCount = reference.rowCount

        samplingErrors = options.metrics.map { metric in
            isBinary
                ? SamplingErrorModel.binary(
                    metric, targets: targets, predictions: reference.predictions,
                    probabilities: reference.probabilities[0])
                : SamplingErrorModel.multiclass(
                    metric, targets: targets, predictions: reference.predictions,
                    probabilities: reference.probabilities)
        }

        let chunks = try options.chunking.ranges(rowCount: reference.rowCount)
        thresholds = options.metrics.map { metric in
            let realized = chunks.map { chunk in
                Self.realized(metric, of: reference, targets: targets, rows: chunk)
            }
            let mean = NumPyArithmetic.nanMean(realized)
            let deviation = NumPyArithmetic.nanStandardDeviation(realized)
            var lower = mean - deviation * 3
            var upper = mean + deviation * 3
            if lower <= 0 { lower = 0 }
            if upper >= 1 { upper = 1 }
            return (lower, upper)
        }

        var calibration: [ColumnCalibration] = []
        for (column, probabilities) in reference.probabilities.enumerated() {
            let label = isBinary ? "1" : reference.classes[column]
            let columnTargets = isBinary ? targets : targets.map { $0 == column ? 1 : 0 }
            var check: CalibrationCheck?
            let calibrate: Bool
            switch options.calibration {
            case .automatic:
                let decision = try CalibrationCheck(targets: columnTargets, probabilities: probabilities)
                check = decision
                calibrate = decision.needsCalibration
            case .always: calibrate = true
            case .never: calibrate = false
            }
            let regression =
                calibrate ? try IsotonicRegression(x: probabilities, y: columnTargets.map(Double.init)) : nil
            calibration.append(ColumnCalibration(label: label, regression: regression, check: check))
        }
        self.calibration = calibration
    }

    /// Estimates every metric on each chunk of `analysis`; targets, where present, give realized values too.
    public func estimate(_ analysis: ClassifierOutputs) throws(KaizenError) -> PerformanceEstimate {
        guard analysis.problem == problem, analysis.classes == classes else {
            throw KaizenError.invalidParameter(
                "the analysis outputs must have the reference's problem type and classes")
        }
        let calibrated = calibratedProbabilities(analysis)
        let chunks = try options.chunking.ranges(rowCount: analysis.rowCount)
        let sumsToOne = problem == .multiclass && options.metrics.contains(.rocAUC)
        var results: [PerformanceEstimate.Chunk] = []
        for (index, rows) in chunks.enumerated() {
            var metrics: [PerformanceEstimate.MetricEstimate] = []
            for (position, metric) in options.metrics.enumerated() {
                // scikit-learn refuses multiclass ROC AUC on rows that do not sum to 1; NannyML then reports the
                // whole record of that metric and chunk as NaN.
                if metric == .rocAUC, sumsToOne, analysis.targets != nil,
                    !ChunkMetrics.rowsSumToOne(analysis.probabilities, rows: rows)
                {
                    metrics.append(.undefined(metric))
                    continue
                }
                metrics.append(
                    estimate(metric, at: position, analysis: analysis, calibrated: calibrated, rows: rows))
            }
            results.append(
                PerformanceEstimate.Chunk(
                    key: "[\(rows.lowerBound):\(rows.upperBound - 1)]", index: index, rows: rows, metrics: metrics))
        }
        return PerformanceEstimate(
            problem: problem, classes: classes, calibration: calibration, referenceRowCount: referenceRowCount,
            analysisRowCount: analysis.rowCount, metrics: options.metrics, chunks: results)
    }

    /// The probability columns the estimates use: calibrated where a calibrator was fitted, and for multiclass
    /// divided by their row sums (a uniform row where the sum is 0), as NannyML always does.
    public func calibratedProbabilities(_ outputs: ClassifierOutputs) -> [[Double]] {
        var columns = zip(outputs.probabilities, calibration).map { column, calibration in
            calibration.regression?.predict(column) ?? column
        }
        guard problem == .multiclass else { return columns }
        let classCount = columns.count
        for row in 0..<outputs.rowCount {
            let total = NumPyArithmetic.sum(columns.map { $0[row] })
            for k in 0..<classCount {
                columns[k][row] = total != 0 ? columns[k][row] / total : 1 / Double(classCount)
            }
        }
        return columns
    }

    private func estimate(
        _ metric: PerformanceMetric, at position: Int, analysis: ClassifierOutputs, calibrated: [[Double]],
        rows: Range<Int>
    ) -> PerformanceEstimate.MetricEstimate {
        let predictions = Array(analysis.predictions[rows])
        let chunkCalibrated = calibrated.map { Array($0[rows]) }
        let chunkUncalibrated = analysis.probabilities.map { Array($0[rows]) }
        let value =
            problem == .binary
            ? ChunkMetrics.estimatedBinary(
                metric, predictions: predictions, calibrated: chunkCalibrated[0], uncalibrated: chunkUncalibrated[0])
            : ChunkMetrics.estimatedMulticlass(
                metric, predictions: predictions, calibrated: chunkCalibrated, uncalibrated: chunkUncalibrated)
        let samplingError = samplingErrors[position].error(rows: rows.count)
        var realized = Double.nan
        if let targets = analysis.targets {
            realized = Self.realized(metric, of: analysis, targets: targets, rows: rows)
        }
        let (lower, upper) = thresholds[position]
        let band = 3 * samplingError
        let upperBound = (value + band).isNaN ? Double.nan : Swift.min(1, value + band)
        let lowerBound = (value - band).isNaN ? Double.nan : Swift.max(0, value - band)
        return PerformanceEstimate.MetricEstimate(
            metric: metric, estimated: value, realized: realized, samplingError: samplingError,
            lowerBound: lowerBound, upperBound: upperBound, lowerThreshold: lower, upperThreshold: upper,
            alert: value < lower || value > upper)
    }

    /// The metric realized on `rows`, from the rows that have a target.
    private static func realized(
        _ metric: PerformanceMetric, of outputs: ClassifierOutputs, targets: [Int?], rows: Range<Int>
    ) -> Double {
        let known = rows.filter { targets[$0] != nil }
        let chunkTargets = known.compactMap { targets[$0] }
        let predictions = known.map { outputs.predictions[$0] }
        let probabilities = outputs.probabilities.map { column in known.map { column[$0] } }
        return outputs.problem == .binary
            ? ChunkMetrics.realizedBinary(
                metric, targets: chunkTargets, predictions: predictions, uncalibrated: probabilities[0])
            : ChunkMetrics.realizedMulticlass(
                metric, targets: chunkTargets, predictions: predictions, uncalibrated: probabilities)
    }

    private static func realized(
        _ metric: PerformanceMetric, of outputs: ClassifierOutputs, targets: [Int], rows: Range<Int>
    ) -> Double {
        realized(metric, of: outputs, targets: targets.map(Optional.some), rows: rows)
    }
}
