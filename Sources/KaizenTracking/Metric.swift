/// One value of a metric at a step and time.
public struct Metric: Sendable, Equatable {
    public var key: String
    /// May be NaN; infinities are clamped to ±`Double.greatestFiniteMagnitude` when logged, as MLflow does.
    public var value: Double
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var step: Int64
    /// The logged model this value describes, if any.
    public var modelID: String?
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String, value: Double, timestamp: Int64, step: Int64 = 0, modelID: String? = nil,
        datasetName: String? = nil, datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)) && lhs.modelID == rhs.modelID
            && lhs.datasetName == rhs.datasetName && lhs.datasetDigest == rhs.datasetDigest
    }
}
