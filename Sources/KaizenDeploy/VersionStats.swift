/// What the serving replicas saw of one model version over a window, merged over replicas: the input of a rollout
/// step's analysis. Counts only; everything is additive, so reports from any number of replicas merge by adding.
public struct VersionStats: Sendable, Equatable {
    /// Upper bounds, in seconds, of the latency histogram's buckets; a last, unbounded bucket follows them.
    public static let latencyBounds: [Double] = [
        0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10,
    ]

    public var requests: UInt64
    /// Answers with a 4xx status (the caller's fault, as a rule; counted apart).
    public var clientErrors: UInt64
    /// Answers with a 5xx status, or none.
    public var serverErrors: UInt64
    /// Requests per latency bucket: `latencyBounds.count + 1` counts.
    public var latency: [UInt64]
    /// What the version predicted: class counts for classifiers, a fixed-bin histogram for regressors.
    public var predictions: PredictionSketch
    /// Shadow pairs: requests answered by both this version (as shadow) and the stable one, and how many agreed.
    public var shadowCompared: UInt64
    public var shadowAgreed: UInt64

    public init(
        requests: UInt64 = 0, clientErrors: UInt64 = 0, serverErrors: UInt64 = 0, latency: [UInt64]? = nil,
        predictions: PredictionSketch = PredictionSketch(), shadowCompared: UInt64 = 0, shadowAgreed: UInt64 = 0
    ) {
        self.requests = requests
        self.clientErrors = clientErrors
        self.serverErrors = serverErrors
        self.latency = latency ?? [UInt64](repeating: 0, count: Self.latencyBounds.count + 1)
        self.predictions = predictions
        self.shadowCompared = shadowCompared
        self.shadowAgreed = shadowAgreed
    }
}

/// A summary of predictions that merges by adding: counts per class label, and for numbers a histogram over fixed
/// bins (the same edges on every replica, so the counts add up).
public struct PredictionSketch: Sendable, Equatable {
    /// Edges of the numeric histogram: `bins` has `edges.count + 1` counts (below the first edge, between each
    /// pair, above the last).
    public static let edges: [Double] = (-20...20).map { Double($0) / 2 }

    /// Predictions per class label (classifiers).
    public var classes: [String: UInt64]
    /// Numeric predictions per bin (regressors); empty when none was numeric.
    public var bins: [UInt64]

    public init(classes: [String: UInt64] = [:], bins: [UInt64] = []) {
        self.classes = classes
        self.bins = bins
    }
}
