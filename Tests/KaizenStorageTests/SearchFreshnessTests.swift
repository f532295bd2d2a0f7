import KaizenCore
import KaizenPostgres
import KaizenStorage
import KaizenTracking
import PostgresNIO
import Testing

/// A search answers with what each run holds now, whatever searches came before: on PostgreSQL a search reads a
/// run from a record the previous search left, which every write to the run must clear.
struct SearchFreshnessTests {
    /// A rendering that writes out every field of a run, inputs included.
    static let rendering = RunRendering { Array(String(reflecting: $0).utf8) }

    /// The run as a search by its id finds it, twice (the first search may record it, the second reads the record),
    /// each equal to the run as read alone; and the same of a search of rendered runs, which keeps each rendering.
    func expectSearchSees(_ tracking: TrackingService, _ id: String, after write: String) async throws {
        let alone = try await tracking.run(id: id)
        let search = try RunSearch(
            experimentIDs: ["0"], filter: "attributes.run_id = '\(id)'", orderBy: [], viewType: .all)
        for attempt in 1...2 {
            let found = try await tracking.searchRuns(search)
            #expect(found.items == [alone], "search \(attempt) after \(write)")
        }
        for attempt in 1...2 {
            let rendered = try await tracking.searchRenderedRuns(search, rendering: Self.rendering)
            #expect(
                rendered.items.map { String(decoding: $0, as: UTF8.self) }
                    == [String(decoding: Self.rendering.render(alone), as: UTF8.self)],
                "rendered search \(attempt) after \(write)")
        }
    }

    @Test(arguments: StoreBackend.all) func aSearchSeesEveryWriteSinceTheLastOne(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(
                experimentID: "0", userID: "u", runName: "r", startTime: 1, tags: [Tag(key: "team", value: "a")]
            ).info.runID
            try await expectSearchSees(tracking, id, after: "create")
            let writes: [(String, () async throws -> Void)] = [
                (
                    "log-batch",
                    {
                        try await tracking.logBatch(
                            runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 1)],
                            params: [Param(key: "a", value: "1")], tags: [Tag(key: "t", value: "x")])
                    }
                ),
                (
                    "a newer metric",
                    {
                        try await tracking.logMetric(
                            runID: id, metric: Metric(key: "m", value: 2, timestamp: 2, step: 1))
                    }
                ),
                (
                    "an older metric",
                    {
                        try await tracking.logMetric(
                            runID: id, metric: Metric(key: "m", value: 9, timestamp: 1, step: 0))
                    }
                ),
                (
                    "a NaN metric",
                    { try await tracking.logMetric(runID: id, metric: Metric(key: "n", value: .nan, timestamp: 3)) }
                ),
                ("a param", { try await tracking.logParam(runID: id, param: Param(key: "b", value: "2")) }),
                ("a new tag", { try await tracking.setTag(runID: id, tag: Tag(key: "u", value: "y")) }),
                ("a changed tag", { try await tracking.setTag(runID: id, tag: Tag(key: "t", value: "z")) }),
                ("a deleted tag", { try await tracking.deleteTag(runID: id, key: "team") }),
                (
                    "a new name",
                    { _ = try await tracking.updateRun(id: id, status: .finished, endTime: 5, runName: "s") }
                ),
                (
                    "an output",
                    { try await tracking.logOutputs(runID: id, models: [ModelOutput(modelID: "m-1", step: 3)]) }
                ),
                (
                    "a changed output",
                    { try await tracking.logOutputs(runID: id, models: [ModelOutput(modelID: "m-1", step: 4)]) }
                ),
                (
                    "a dataset input",
                    {
                        try await tracking.logInputs(
                            runID: id,
                            datasets: [
                                DatasetInput(
                                    dataset: Dataset(name: "d", digest: "1", sourceType: "local", source: "{}"),
                                    tags: [])
                            ], modelIDs: [])
                    }
                ),
                (
                    "a dataset input's changed tag",
                    {
                        try await tracking.logInputs(
                            runID: id,
                            datasets: [
                                DatasetInput(
                                    dataset: Dataset(name: "d", digest: "1", sourceType: "local", source: "{}"),
                                    tags: [Tag(key: "mlflow.data.context", value: "eval")])
                            ], modelIDs: [])
                    }
                ),
                (
                    "a model input",
                    { try await tracking.logInputs(runID: id, datasets: [], modelIDs: ["m-0"]) }
                ),
                (
                    "a new status",
                    { _ = try await tracking.updateRun(id: id, status: .failed, endTime: 6, runName: nil) }
                ),
                ("a deletion", { try await tracking.deleteRun(id: id) }),
                ("a restoration", { try await tracking.restoreRun(id: id) }),
            ]
            for (name, write) in writes {
                try await write()
                try await expectSearchSees(tracking, id, after: name)
            }
        }
    }

    /// A search of rendered runs finds the runs a search of runs finds, in the same order and pages, each rendered;
    /// the second time from what the store kept. A rendering of another version renders them anew.
    @Test(arguments: StoreBackend.all) func renderedPagesAreThePagesOfRunsRendered(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            for index in 0..<30 {
                let id = try await tracking.createRun(
                    experimentID: "0", userID: "u", runName: "run-\(index)", startTime: Int64(index % 4), tags: []
                ).info.runID
                try await tracking.logBatch(
                    runID: id,
                    metrics: [
                        Metric(key: "m", value: index % 5 == 0 ? .nan : Double(index % 7), timestamp: 1),
                        Metric(key: "ü", value: -.infinity, timestamp: 2, step: 3),
                    ],
                    params: [Param(key: "p", value: String(index % 3))], tags: [Tag(key: "t", value: "\"\(index)\"")])
                if index % 4 == 1 {
                    try await tracking.logInputs(
                        runID: id,
                        datasets: [
                            DatasetInput(
                                dataset: Dataset(
                                    name: "d", digest: String(index % 2), sourceType: "local", source: "{}",
                                    schema: "{\"x\": 1}"),
                                tags: [Tag(key: "mlflow.data.context", value: "train")])
                        ], modelIDs: ["m-\(index)"])
                    try await tracking.logOutputs(runID: id, models: [ModelOutput(modelID: "m-\(index)", step: 1)])
                }
            }
            var pageToken: String?
            var pages = 0
            repeat {
                let search = try RunSearch(
                    experimentIDs: ["0"], filter: "params.p != '2'", orderBy: ["metrics.m DESC"], maxResults: 7,
                    pageToken: pageToken)
                let runs = try await tracking.searchRuns(search)
                let expected = runs.items.map(Self.rendering.render)
                for attempt in 1...2 {
                    let rendered = try await tracking.searchRenderedRuns(search, rendering: Self.rendering)
                    #expect(rendered.items == expected, "page \(pages), search \(attempt)")
                    #expect(rendered.nextPageToken == runs.nextPageToken)
                }
                let other = RunRendering { Array("other ".utf8) + Self.rendering.render($0) }
                #expect(other.version != Self.rendering.version)
                #expect(
                    try await tracking.searchRenderedRuns(search, rendering: other).items.map { Array($0.dropFirst(6)) }
                        == expected)
                #expect(try await tracking.searchRenderedRuns(search, rendering: Self.rendering).items == expected)
                pageToken = runs.nextPageToken
                pages += 1
            } while pageToken != nil
            #expect(pages == 3)
        }
    }

    /// What a rendered search kept is what the next one reads, until a write to the run clears it; after each kind
    /// of write, the next rendered search keeps the run again.
    @Test func aKeptRenderingIsReadUntilTheRunChanges() async throws {
        try await withPostgresRun { database, tracking, id in
            let search = try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: [], viewType: .all)
            let dataset = Dataset(name: "d", digest: "1", sourceType: "local", source: "{}")
            let writes: [(String, () async throws -> Void)] = [
                ("creation", {}),
                (
                    "a metric",
                    { try await tracking.logMetric(runID: id, metric: Metric(key: "m", value: 1, timestamp: 1)) }
                ),
                ("a tag", { try await tracking.setTag(runID: id, tag: Tag(key: "t", value: "x")) }),
                ("a status", { _ = try await tracking.updateRun(id: id, status: .failed, endTime: 6, runName: nil) }),
                ("a deletion", { try await tracking.deleteRun(id: id) }),
                ("a restoration", { try await tracking.restoreRun(id: id) }),
                (
                    "a dataset input",
                    {
                        try await tracking.logInputs(
                            runID: id, datasets: [DatasetInput(dataset: dataset, tags: [])], modelIDs: [])
                    }
                ),
                (
                    "a dataset input's new tag",
                    {
                        try await tracking.logInputs(
                            runID: id, datasets: [DatasetInput(dataset: dataset, tags: [Tag(key: "k", value: "1")])],
                            modelIDs: [])
                    }
                ),
                (
                    "a dataset input's changed tag",
                    {
                        try await tracking.logInputs(
                            runID: id, datasets: [DatasetInput(dataset: dataset, tags: [Tag(key: "k", value: "2")])],
                            modelIDs: [])
                    }
                ),
                ("a model input", { try await tracking.logInputs(runID: id, datasets: [], modelIDs: ["m-1"]) }),
            ]
            for (name, write) in writes {
                try await write()
                let fresh = [Self.rendering.render(try await tracking.run(id: id))]
                // What the search kept, replaced by a mark, is what the next search reads. A search keeps nothing
                // while its run's lock is held, and tests on other schemas of the database take the same locks.
                var marked = 0
                for _ in 1...50 where marked == 0 {
                    #expect(
                        try await tracking.searchRenderedRuns(search, rendering: Self.rendering).items == fresh,
                        "\(name)")
                    marked = try await database.write { connection in
                        try await Self.count(
                            connection.query(
                                """
                                UPDATE runs SET search_document = 'kept'::bytea
                                WHERE run_uuid = \(id) AND search_document IS NOT NULL RETURNING 1
                                """, logger: Logger(label: "test")))
                    }
                    if marked == 0 { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(marked == 1, "kept after \(name)")
                #expect(
                    try await tracking.searchRenderedRuns(search, rendering: Self.rendering).items == [
                        Array("kept".utf8)
                    ],
                    "read after \(name)")
            }
        }
    }

    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// A page of several hundred runs is loaded in parts on several connections when nothing is recorded, and read
    /// from the records the next time: the same runs either way, and the same rendered.
    @Test(arguments: StoreBackend.all) func aLargePageIsTheSameLoadedOrRecorded(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            for index in 0..<600 {
                let id = try await tracking.createRun(
                    experimentID: "0", userID: "u", runName: "run-\(index)", startTime: Int64(index), tags: []
                ).info.runID
                try await tracking.logBatch(
                    runID: id, metrics: [Metric(key: "m", value: Double(index % 7), timestamp: 1)],
                    params: [Param(key: "p", value: String(index % 3))], tags: [Tag(key: "t", value: "x")])
            }
            let search = try RunSearch(
                experimentIDs: ["0"], filter: "params.p != '2'", orderBy: ["metrics.m DESC"], maxResults: 1000)
            let loaded = try await tracking.searchRuns(search).items
            #expect(loaded.count == 400)
            #expect(loaded.allSatisfy { $0.params.count == 1 && $0.metrics.count == 1 && $0.tags.count == 2 })
            #expect(try await tracking.searchRuns(search).items == loaded)
            // Rendered: on SQLite in two halves at once, on PostgreSQL loaded in parts, then kept.
            for attempt in 1...2 {
                let rendered = try await tracking.searchRenderedRuns(search, rendering: Self.rendering).items
                #expect(rendered == loaded.map(Self.rendering.render), "rendered search \(attempt)")
            }
        }
    }

    /// A write in flight (uncommitted) when a search loads its run keeps the search from recording the run without
    /// it: once the write commits, the next search sees it.
    @Test(arguments: StoreBackend.all.filter { $0 == .postgres })
    func aWriteInFlightKeepsItsRunUnrecorded(backend: StoreBackend) async throws {
        try await withPostgresRun { database, tracking, id in
            let recorded = {
                try await database.read { connection in
                    for try await isRecorded in try await connection.query(
                        "SELECT search_record IS NOT NULL FROM runs WHERE run_uuid = \(id)",
                        logger: Logger(label: "test")
                    ).decode(Bool.self) {
                        return isRecorded
                    }
                    return false
                }
            }
            try await database.client.withConnection { writer in
                let logger = Logger(label: "test")
                try await writer.query("BEGIN", logger: logger)
                try await writer.query(
                    "INSERT INTO params(run_key, key, value) SELECT run_key, 'late', '1' FROM runs WHERE run_uuid = \(id)",
                    logger: logger)
                let during = try await tracking.searchRuns(
                    try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: []))
                #expect(during.items.map(\.params) == [[]])
                #expect(try await recorded() == false)
                try await writer.query("COMMIT", logger: logger)
            }
            try await expectSearchSees(tracking, id, after: "the write in flight committed")
            #expect(try await tracking.run(id: id).params == [Param(key: "late", value: "1")])
            #expect(try await recorded())
        }
    }

    /// `body` with a tracking service on a fresh PostgreSQL schema (dropped after it, whatever its outcome) and the
    /// id of one new run in experiment 0.
    func withPostgresRun(
        _ body: (KaizenPostgres.PostgresDatabase, TrackingService, String) async throws -> Void
    ) async throws {
        let database = try await TestPostgres.open()
        do {
            let tracking = TrackingService(
                store: PostgresTrackingStore(database: database), defaultArtifactRoot: "mlflow-artifacts:/",
                workingDirectory: "/srv")
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "u", runName: "r", startTime: 1, tags: [])
                .info.runID
            try await body(database, tracking, id)
        } catch {
            await TestPostgres.drop(database)
            throw error
        }
        await TestPostgres.drop(database)
    }
}
