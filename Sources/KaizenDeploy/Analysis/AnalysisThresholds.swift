/// The limits a rollout step's analysis judges a candidate by. Every one has a default; a rollout may set its own.
///
/// Minimum sample sizes below 1 are read as 1, so that no check ever passes on no data.
public struct AnalysisThresholds: Sendable, Equatable {
    /// Requests each version needs in the window before `error_rate` and `latency_p99` decide anything.
    public var minimumRequests: UInt64
    /// Significance level of the error-rate z-test (an increase counts when its one-sided p-value is below it) and of
    /// the divergence check's G-test (a distance over its limit fails only when the p-value is below it).
    public var alpha: Double
    /// The increase of the error rate (absolute: 0.01 is one percentage point) that a significant difference must
    /// exceed to fail, so that a tiny difference made significant by a huge window does not fail a step.
    public var maximumErrorRateIncrease: Double
    /// The candidate fails outright at this error rate or above, whatever stable's, once it has enough requests.
    public var maximumErrorRate: Double
    /// The largest candidate/stable ratio of p99 latencies that passes.
    public var maximumLatencyRatio: Double
    /// Seconds: a candidate whose p99 is at or below this never fails on latency, whatever the ratio.
    public var latencyFloor: Double
    /// Predictions each version needs in its sketch before `prediction_divergence` decides anything.
    public var minimumPredictions: UInt64
    /// The distance that decides `prediction_divergence`.
    public var divergenceMetric: DivergenceMetric
    /// The largest Jensen–Shannon distance (base 2, in [0, 1]) that passes, when that is the chosen metric.
    public var maximumJSDistance: Double
    /// The largest population stability index that passes, when that is the chosen metric.
    public var maximumPSI: Double
    /// Shadow comparisons the candidate needs before `shadow_agreement` decides anything.
    public var minimumShadowComparisons: UInt64
    /// The smallest share of shadow comparisons where the candidate agreed with stable that passes.
    public var minimumAgreement: Double
    /// The largest drop of labelled accuracy (stable's minus the candidate's; 0.02 is two points) that passes,
    /// when significant; nil (the default) leaves the `accuracy` check out.
    public var maximumAccuracyDrop: Double?
    /// The largest drop of estimated accuracy that passes; nil (the default) leaves `estimated_accuracy` out.
    public var maximumEstimatedAccuracyDrop: Double?
    /// Labelled requests each version needs before `accuracy` decides anything (labels arrive for a share of the
    /// traffic, so this is not the step's request count).
    public var minimumLabels: UInt64
    /// The pre-traffic `latency` contract check: the largest candidate/stable ratio of median times on the input
    /// examples that passes.
    public var contractLatencyBudget: Double
    /// Seconds: a candidate whose median time on the examples is at or below this passes the `latency` contract
    /// check, whatever the ratio.
    public var contractLatencyFloor: Double

    /// Thresholds with the defaults: 200 requests, alpha 0.01, +1 point of error rate, a 5% error ceiling, a 1.5×
    /// latency ratio above a 5 ms floor, 200 predictions, JS distance 0.1 (PSI 0.2), 200 shadow comparisons and 90%
    /// agreement; before traffic, a 3× median time on the examples above a 5 ms floor; no performance checks, and 100
    /// labels each when `accuracy` is on.
    public init(
        minimumRequests: UInt64 = 200,
        alpha: Double = 0.01,
        maximumErrorRateIncrease: Double = 0.01,
        maximumErrorRate: Double = 0.05,
        maximumLatencyRatio: Double = 1.5,
        latencyFloor: Double = 0.005,
        minimumPredictions: UInt64 = 200,
        divergenceMetric: DivergenceMetric = .jsDistance,
        maximumJSDistance: Double = 0.1,
        maximumPSI: Double = 0.2,
        minimumShadowComparisons: UInt64 = 200,
        minimumAgreement: Double = 0.9,
        contractLatencyBudget: Double = 3,
        contractLatencyFloor: Double = 0.005,
        maximumAccuracyDrop: Double? = nil,
        maximumEstimatedAccuracyDrop: Double? = nil,
        minimumLabels: UInt64 = 100
    ) {
        self.minimumRequests = minimumRequests
        self.alpha = alpha
        self.maximumErrorRateIncrease = maximumErrorRateIncrease
        self.maximumErrorRate = maximumErrorRate
        self.maximumLatencyRatio = maximumLatencyRatio
        self.latencyFloor = latencyFloor
        self.minimumPredictions = minimumPredictions
        self.divergenceMetric = divergenceMetric
        self.maximumJSDistance = maximumJSDistance
        self.maximumPSI = maximumPSI
        self.minimumShadowComparisons = minimumShadowComparisons
        self.minimumAgreement = minimumAgreement
        self.contractLatencyBudget = contractLatencyBudget
        self.contractLatencyFloor = contractLatencyFloor
        self.maximumAccuracyDrop = maximumAccuracyDrop
        self.maximumEstimatedAccuracyDrop = maximumEstimatedAccuracyDrop
        self.minimumLabels = minimumLabels
    }

    /// True when a check needs monitoring's figures (`accuracy`, `estimated_accuracy`).
    public var gatesOnPerformance: Bool { maximumAccuracyDrop != nil || maximumEstimatedAccuracyDrop != nil }
}
