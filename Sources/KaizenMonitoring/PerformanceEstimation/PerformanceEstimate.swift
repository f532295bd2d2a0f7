/// Estimated (and, where targets exist, realized) performance per chunk of analysis data.
public struct PerformanceEstimate: Sendable {
    /// One metric on one chunk, as NannyML's result row reports it.
    public struct MetricEstimate: Sendable, Hashable {
        /// The metric.
        public var metric: PerformanceMetric
        /// The estimate from calibrated probabilities; NaN when it cannot be computed.
        public var estimated: Double
        /// The metric measured from the chunk's targets; NaN when the chunk has none, or too few distinct values.
        public var realized: Double
        /// The estimate's sampling error for a chunk of this size.
        public var samplingError: Double
        /// `max(0, estimated − 3 · samplingError)`.
        public var lowerBound: Double
        /// `min(1, estimated + 3 · samplingError)`.
        public var upperBound: Double
        /// The reference's mean minus 3 standard deviations of the realized metric (0 when that is not above 0).
        public var lowerThreshold: Double
        /// The reference's mean plus 3 standard deviations of the realized metric (1 when that is not below 1).
        public var upperThreshold: Double
        /// Whether the estimate lies strictly outside the thresholds.
        public var alert: Bool

        /// A record whose every value is NaN, as NannyML reports a metric whose computation failed on a chunk.
        static func undefined(_ metric: PerformanceMetric) -> MetricEstimate {
            MetricEstimate(
                metric: metric, estimated: .nan, realized: .nan, samplingError: .nan, lowerBound: .nan,
                upperBound: .nan, lowerThreshold: .nan, upperThreshold: .nan, alert: false)
        }
    }

    /// A run of consecutive analysis rows and its estimates.
    public struct Chunk: Sendable, Hashable {
        /// NannyML's chunk key, `[first:last]` with the last row included.
        public var key: String
        /// The chunk's position, from 0.
        public var index: Int
        /// The rows, as 0-based positions in the analysis data.
        public var rows: Range<Int>
        /// One record per metric, in the estimator's metric order.
        public var metrics: [MetricEstimate]

        /// The record of `metric`, if it was estimated.
        public subscript(metric: PerformanceMetric) -> MetricEstimate? {
            metrics.first { $0.metric == metric }
        }
    }

    /// Binary or multiclass.
    public var problem: ClassifierOutputs.Problem
    /// The class labels.
    public var classes: [String]
    /// How each probability column was calibrated.
    public var calibration: [PerformanceEstimator.ColumnCalibration]
    /// The number of reference rows the estimator was fitted on.
    public var referenceRowCount: Int
    /// The number of analysis rows.
    public var analysisRowCount: Int
    /// The metrics, in report order.
    public var metrics: [PerformanceMetric]
    /// The chunks, in row order.
    public var chunks: [Chunk]

    /// Whether any probability column was calibrated.
    public var isCalibrated: Bool { calibration.contains { $0.isCalibrated } }
}
