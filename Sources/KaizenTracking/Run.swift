/// Where a run is in its life: MLflow's `RunStatus`.
public enum RunStatus: String, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses the wire form: the enum name, or its protobuf number (1 to 5).
    public init?(wire: String) {
        let numbers = ["1": RunStatus.running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
        if let status = numbers[wire] ?? RunStatus(rawValue: wire.uppercased()) {
            self = status
        } else {
            return nil
        }
    }
}

/// The metadata of a run.
public struct RunInfo: Sendable, Equatable {
    /// 32 lowercase hex characters.
    public var runID: String
    public var experimentID: String
    public var runName: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        runID: String, experimentID: String, runName: String, userID: String, status: RunStatus,
        startTime: Int64, endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage
    ) {
        self.runID = runID
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// A parameter of a run: set once, immutable after.
public struct Param: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

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

/// A logged model produced by a run at a step.
public struct ModelOutput: Sendable, Hashable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}
