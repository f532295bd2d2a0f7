public import KaizenCore

/// A run with everything logged to it: latest metrics, params, tags, inputs and outputs.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    /// The latest value of each metric key.
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [Tag]
    public var datasetInputs: [DatasetInput]
    /// Logged models the run consumed.
    public var modelInputs: [String]
    /// Logged models the run produced, with the step they were produced at.
    public var modelOutputs: [ModelOutput]

    public init(
        info: RunInfo, metrics: [Metric] = [], params: [Param] = [], tags: [Tag] = [],
        datasetInputs: [DatasetInput] = [], modelInputs: [String] = [], modelOutputs: [ModelOutput] = []
    ) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.datasetInputs = datasetInputs
        self.modelInputs = modelInputs
        self.modelOutputs = modelOutputs
    }
}
