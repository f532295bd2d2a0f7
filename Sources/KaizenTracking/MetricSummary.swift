public import KaizenCore

/// What one metric of a run has been over its whole history: its latest value, and the least, greatest and
/// mean of its values (NaN left out). Kept up to date as metrics are logged, so a runs table reads it without
/// going through the history.
public struct MetricSummary: Sendable, Equatable {
    public var key: String
    /// The latest value, as `latest_metrics` orders them: by step, then timestamp, then value.
    public var last: Double
    public var lastStep: Int64
    public var lastTimestamp: Int64
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    /// How many values were logged, NaN included.
    public var count: Int64

    public init(
        key: String, last: Double, lastStep: Int64, lastTimestamp: Int64, minimum: Double?, maximum: Double?,
        mean: Double?, count: Int64
    ) {
        self.key = key
        self.last = last
        self.lastStep = lastStep
        self.lastTimestamp = lastTimestamp
        self.minimum = minimum
        self.maximum = maximum
        self.mean = mean
        self.count = count
    }
}

/// Which figure of a metric a runs table shows and sorts by.
public enum MetricAggregate: Sendable, Equatable {
    case last
    case minimum
    case maximum
    case mean
    /// The value logged at one step (the latest logged there, when several were).
    case atStep(Int64)

    /// Parses `last`, `min`, `max`, `mean` or `step:<n>`.
    public init(parsing text: String) throws(KaizenError) {
        switch text {
        case "", "last": self = .last
        case "min": self = .minimum
        case "max": self = .maximum
        case "mean": self = .mean
        default:
            guard text.hasPrefix("step:"), let step = Int64(text.dropFirst(5)) else {
                throw .invalidParameter(
                    "Invalid metric summary '\(text)'. Expected one of 'last', 'min', 'max', 'mean' or 'step:<n>'.")
            }
            self = .atStep(step)
        }
    }
}
