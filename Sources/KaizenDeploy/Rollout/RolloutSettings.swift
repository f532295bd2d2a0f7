public import KaizenCore

/// When a rollout step may advance, when it gives up waiting, and the limits its analysis judges by.
public struct RolloutSettings: Sendable, Equatable {
    /// The fewest candidate requests (`--step-requests`) a step needs before it may advance.
    public var stepRequests: UInt64
    /// The shortest time a step lasts (`--step-seconds`), in milliseconds.
    public var stepDuration: Int64
    /// How long a step may go without a decision before the rollout pauses, in milliseconds; longer than
    /// `stepDuration`.
    public var stepTimeout: Int64
    /// The analysis's limits; their minimum sample sizes are ignored, `stepRequests` stands for all of them.
    public var thresholds: AnalysisThresholds

    /// 200 requests, one minute, ten minutes, the default thresholds.
    public init(
        stepRequests: UInt64 = 200, stepDuration: Int64 = 60_000, stepTimeout: Int64 = 600_000,
        thresholds: AnalysisThresholds = AnalysisThresholds()
    ) {
        self.stepRequests = stepRequests
        self.stepDuration = stepDuration
        self.stepTimeout = stepTimeout
        self.thresholds = thresholds
    }

    /// The thresholds a step is judged by: `thresholds` with `stepRequests` as every minimum sample size.
    var analysisThresholds: AnalysisThresholds { thresholds.requiring(stepRequests) }

    /// Durations are not negative, and a step's time-out comes after its minimum duration (else a passing step
    /// could pause before it may advance).
    func validate() throws(KaizenError) {
        guard stepDuration >= 0 else { throw .invalidParameter("The step duration must not be negative") }
        guard stepTimeout > stepDuration else {
            throw .invalidParameter(
                "The step time-out (\(stepTimeout) ms) must be longer than the step duration (\(stepDuration) ms)")
        }
    }

    /// `{"step_requests": 200, "step_duration_ms": 60000, "step_timeout_ms": 600000, "thresholds": {…}}`.
    public var json: JSONValue {
        .object([
            ("step_requests", JSONObjectReader.integer(stepRequests)),
            ("step_duration_ms", .integer(stepDuration)),
            ("step_timeout_ms", .integer(stepTimeout)),
            ("thresholds", thresholds.json),
        ])
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        let defaults = RolloutSettings()
        self.init(
            stepRequests: try reader.count("step_requests") ?? defaults.stepRequests,
            stepDuration: try reader.int64("step_duration_ms") ?? defaults.stepDuration,
            stepTimeout: try reader.int64("step_timeout_ms") ?? defaults.stepTimeout,
            thresholds: try reader.object("thresholds").map { reader throws(KaizenError) in
                try AnalysisThresholds(reader: reader, base: defaults.thresholds)
            } ?? defaults.thresholds)
        do {
            try validate()
        } catch {
            throw reader.fail("is invalid: \(error.message)")
        }
    }
}
