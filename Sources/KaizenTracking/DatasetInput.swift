public import KaizenCore

/// A dataset as input to a run, with tags such as `mlflow.data.context` ("training", "eval").
public struct DatasetInput: Sendable, Hashable {
    public var dataset: Dataset
    public var tags: [Tag]

    public init(dataset: Dataset, tags: [Tag] = []) {
        self.dataset = dataset
        self.tags = tags
    }
}
