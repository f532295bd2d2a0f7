import KaizenCore

/// How a search writes each run it finds out (the server's JSON of a run), for a store that keeps each run's
/// rendering between searches (`TrackingStore.searchRenderedRuns`) so that a page of runs is not written anew for
/// every search.
///
/// A kept rendering is read back only while its `version` is this rendering's: the version is derived from the
/// rendering of a sample run that holds every kind of field, so a change to how a run is written (a new field, a
/// new number format) changes it, and renderings kept by an older server are written anew, without a migration.
public struct RunRendering: Sendable {
    public let version: String
    public let render: @Sendable (Run) -> [UInt8]

    public init(_ render: @escaping @Sendable (Run) -> [UInt8]) {
        self.render = render
        let digest = SHA256.hash(render(Self.sample)).prefix(12)
        version = digest.map { String(String(0x100 + Int($0), radix: 16).dropFirst()) }.joined()
    }

    /// A run with every field set, metrics of each kind of number and text that needs escaping.
    static let sample = Run(
        info: RunInfo(
            runID: "0f1e2d3c", experimentID: "7", runName: "sample \"run\" ü", userID: "user\\1",
            status: .finished, startTime: 1_700_000_000_000, endTime: 1_700_000_000_500,
            artifactURI: "s3://bucket/7/0f1e2d3c/artifacts", lifecycleStage: .deleted),
        metrics: [
            Metric(key: "m", value: 0.1, timestamp: 1, step: 2), Metric(key: "n", value: .nan, timestamp: 3, step: 0),
            Metric(key: "i", value: -.infinity, timestamp: 4, step: -1),
            Metric(key: "big", value: 1e300, timestamp: 5, step: 1 << 40),
        ],
        params: [Param(key: "p", value: "1\n2")], tags: [Tag(key: "t", value: "\u{1}")],
        datasetInputs: [
            DatasetInput(
                dataset: Dataset(
                    name: "d", digest: "ab", sourceType: "local", source: "{\"uri\": \"x\"}", schema: "{}",
                    profile: "{\"rows\": 3}"),
                tags: [Tag(key: "mlflow.data.context", value: "train")])
        ],
        modelInputs: ["m-in"], modelOutputs: [ModelOutput(modelID: "m-out", step: 9)])
}
