public import KaizenCore

/// Persistence of tracking data. Implementations live in the storage module (SQLite today).
///
/// Every write is atomic and committed when the call returns. Checks that depend on stored state (a run
/// must be active, a param may not change) happen inside the write, so concurrent requests cannot race
/// past them; they throw `KaizenError` with MLflow's codes and messages (`TrackingError`).
public protocol TrackingStore: Sendable {
    // MARK: Experiments

    /// Creates the `Default` experiment with id `"0"` unless it exists.
    func ensureDefaultExperiment(artifactLocation: String, now: Int64) async throws

    /// Creates an experiment and returns its id. `artifactLocation` maps the new id to the location used
    /// when the caller gave none. Throws `RESOURCE_ALREADY_EXISTS` when the name is taken.
    func createExperiment(
        name: String, artifactLocation: String?, defaultArtifactLocation: @Sendable (String) -> String,
        tags: [Tag], now: Int64
    ) async throws -> String
    func experiment(id: String) async throws -> Experiment?
    func experiment(named name: String) async throws -> Experiment?
    func searchExperiments(_ search: ExperimentSearch) async throws -> Page<Experiment>
    func renameExperiment(id: String, to newName: String, now: Int64) async throws
    /// Deletes or restores an experiment, and with it the runs that it holds.
    func setExperimentLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws
    func setExperimentTag(id: String, tag: Tag) async throws
    func deleteExperimentTag(id: String, key: String) async throws

    // MARK: Runs

    /// Inserts a new run; its experiment must exist and be active.
    func createRun(_ info: RunInfo, tags: [Tag]) async throws
    func run(id: String) async throws -> Run?
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo
    func setRunLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws
    /// Logs metrics, params and tags to an active run in one transaction. Re-sending the same values is
    /// harmless (clients retry); a param with a new value is refused and nothing of the batch is written.
    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws
    func deleteRunTag(runID: String, key: String) async throws
    func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws
    func logOutputs(runID: String, models: [ModelOutput]) async throws
    /// Logged values of one metric of a run, ordered by timestamp, step and value; `RESOURCE_DOES_NOT_EXIST`
    /// for an unknown run.
    func metricHistory(runID: String, key: String, offset: Int, limit: Int) async throws -> [Metric]
    func searchRuns(_ search: RunSearch) async throws -> Page<Run>
    /// The same page, each run as `rendering` writes it. A store may keep each run's rendering until the run
    /// changes (PostgreSQL does); by default each run found is rendered anew.
    func searchRenderedRuns(_ search: RunSearch, rendering: RunRendering) async throws -> Page<[UInt8]>
    /// How many runs a search finds, over all its pages.
    func countRuns(_ search: RunSearch) async throws -> Int
    /// The summary of every metric of some runs, by run id; runs without metrics are left out.
    func metricSummaries(runIDs: [String]) async throws -> [String: [MetricSummary]]
    /// The value of one metric at one step for some runs, by run id (the latest logged at that step).
    func metricValues(runIDs: [String], key: String, step: Int64) async throws -> [String: Double]
    /// A metric's values over a range, raw or in buckets; empty for a metric never logged,
    /// `RESOURCE_DOES_NOT_EXIST` for an unknown run.
    func metricSeries(_ request: MetricSeriesRequest) async throws -> MetricSeries

    // MARK: Logged models

    func createLoggedModel(_ model: LoggedModel) async throws
    func loggedModel(id: String) async throws -> LoggedModel?
    func setLoggedModelStatus(id: String, to status: LoggedModelStatus, now: Int64) async throws
    func setLoggedModelTags(id: String, tags: [Tag], now: Int64) async throws
    func deleteLoggedModelTag(id: String, key: String) async throws
    func logLoggedModelParams(id: String, params: [Param]) async throws
    func deleteLoggedModel(id: String) async throws
    /// The live logged models of some experiments, newest first.
    func loggedModels(experimentIDs: [String]) async throws -> [LoggedModel]
}

extension TrackingStore {
    /// Renders each run found, a long page in two halves at once, on two cores.
    public func searchRenderedRuns(_ search: RunSearch, rendering: RunRendering) async throws -> Page<[UInt8]> {
        let page = try await searchRuns(search)
        let runs = page.items
        guard runs.count >= 256 else {
            return Page(items: runs.map(rendering.render), nextPageToken: page.nextPageToken)
        }
        let middle = runs.count / 2
        async let second = runs[middle...].map(rendering.render)
        let first = runs[..<middle].map(rendering.render)
        return Page(items: first + (await second), nextPageToken: page.nextPageToken)
    }
}
