public import KaizenCore

/// A request for one metric of one run as a chart draws it: the values over a range of steps or timestamps,
/// raw when the range holds few enough of them, otherwise reduced to buckets that keep each one's least,
/// greatest and last value, so a one-step spike is still drawn.
public struct MetricSeriesRequest: Sendable, Equatable {
    /// What the chart's x axis is.
    public enum Axis: String, Sendable {
        case step
        /// Wall-clock time, in milliseconds; a chart of relative time subtracts the run's start.
        case time
    }

    /// The most buckets a client may ask for.
    public static let maximumBuckets = 10_000
    /// The most raw points a client may ask for.
    public static let maximumRawPoints = 20_000

    public var runID: String
    public var key: String
    public var axis: Axis
    /// The range of x, both ends included; nil is the whole history's end.
    public var lower: Int64?
    public var upper: Int64?
    public var buckets: Int
    /// Raw points are returned when the range holds at most this many values.
    public var rawLimit: Int

    public init(
        runID: String, key: String, axis: Axis = .step, lower: Int64? = nil, upper: Int64? = nil,
        buckets: Int = 1_000, rawLimit: Int = 2_000
    ) throws(KaizenError) {
        try TrackingValidation.validateRunID(runID)
        guard !key.isEmpty else { throw .missingParameter("metric_key") }
        guard (1...Self.maximumBuckets).contains(buckets) else {
            throw .invalidParameter("buckets must be between 1 and \(Self.maximumBuckets), got \(buckets)")
        }
        guard (0...Self.maximumRawPoints).contains(rawLimit) else {
            throw .invalidParameter("raw_limit must be between 0 and \(Self.maximumRawPoints), got \(rawLimit)")
        }
        if let lower, let upper, lower > upper {
            throw .invalidParameter("The range is empty: min \(lower) is greater than max \(upper)")
        }
        self.runID = runID
        self.key = key
        self.axis = axis
        self.lower = lower
        self.upper = upper
        self.buckets = buckets
        self.rawLimit = rawLimit
    }
}

/// A metric's values over a range, raw or bucketed (`MetricSeriesRequest`).
public struct MetricSeries: Sendable, Equatable {
    /// One slice of the x range: the values logged in it, reduced. NaN values are left out of buckets.
    public struct Bucket: Sendable, Equatable {
        /// The least and greatest x that holds a value.
        public var lowerX: Int64
        public var upperX: Int64
        public var minimum: Double
        public var maximum: Double
        /// The value at the greatest x.
        public var last: Double
        public var count: Int64

        public init(lowerX: Int64, upperX: Int64, minimum: Double, maximum: Double, last: Double, count: Int64) {
            self.lowerX = lowerX
            self.upperX = upperX
            self.minimum = minimum
            self.maximum = maximum
            self.last = last
            self.count = count
        }
    }

    /// The x range the series covers: the request's, with open ends closed at the history's first and last x.
    public var lowerX: Int64
    public var upperX: Int64
    /// How many values the range holds.
    public var total: Int64
    /// The values, when the range holds at most the request's raw limit; else empty.
    public var points: [Metric]
    /// The buckets, when the range holds more values than the raw limit; else empty.
    public var buckets: [Bucket]

    public init(lowerX: Int64, upperX: Int64, total: Int64, points: [Metric], buckets: [Bucket]) {
        self.lowerX = lowerX
        self.upperX = upperX
        self.total = total
        self.points = points
        self.buckets = buckets
    }

    public static let empty = MetricSeries(lowerX: 0, upperX: 0, total: 0, points: [], buckets: [])
}
