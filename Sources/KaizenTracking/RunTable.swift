import KaizenCore

/// One page of a runs table, as the web UI shows it: the runs, how many the search finds in all, and for
/// each run the summary of every metric and the values at the steps the table's columns ask for.
public struct RunTable: Sendable {
    /// A metric column at one step.
    public struct StepColumn: Sendable, Hashable {
        public var key: String
        public var step: Int64

        public init(key: String, step: Int64) {
            self.key = key
            self.step = step
        }
    }

    /// The most runs one page may hold.
    public static let maximumPageSize = 1_000

    public var total: Int
    public var offset: Int
    public var runs: [Run]
    public var summaries: [String: [MetricSummary]]
    /// Values at a step, by column, then by run id.
    public var stepValues: [StepColumn: [String: Double]]

    public init(
        total: Int, offset: Int, runs: [Run], summaries: [String: [MetricSummary]],
        stepValues: [StepColumn: [String: Double]]
    ) {
        self.total = total
        self.offset = offset
        self.runs = runs
        self.summaries = summaries
        self.stepValues = stepValues
    }
}

extension TrackingService {
    /// A page of runs found by `search` with their metric summaries and the values of `stepColumns`.
    public func runTable(_ search: RunSearch, stepColumns: [RunTable.StepColumn]) async throws -> RunTable {
        guard search.maxResults <= RunTable.maximumPageSize else {
            throw KaizenError.invalidParameter(
                "A runs table page holds at most \(RunTable.maximumPageSize) runs, got \(search.maxResults)")
        }
        guard stepColumns.count <= 100 else {
            throw KaizenError.invalidParameter("At most 100 step columns, got \(stepColumns.count)")
        }
        for id in search.experimentIDs { _ = try TrackingValidation.parseExperimentID(id) }
        async let total = store.countRuns(search)
        let runs = try await store.searchRuns(search).items
        let ids = runs.map(\.info.runID)
        let summaries = try await store.metricSummaries(runIDs: ids)
        var stepValues: [RunTable.StepColumn: [String: Double]] = [:]
        for column in Set(stepColumns) {
            stepValues[column] = try await store.metricValues(runIDs: ids, key: column.key, step: column.step)
        }
        return RunTable(
            total: try await total, offset: search.offset, runs: runs, summaries: summaries, stepValues: stepValues)
    }

    /// A metric of a run as a chart draws it over a range (`MetricSeriesRequest`).
    public func metricSeries(_ request: MetricSeriesRequest) async throws -> MetricSeries {
        try await store.metricSeries(request)
    }
}
