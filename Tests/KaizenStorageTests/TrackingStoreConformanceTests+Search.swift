import KaizenCore
import KaizenTracking
import Testing

extension TrackingStoreConformanceTests {
    /// Four runs with attributes, params, tags, metrics and datasets that differ, and one run with none of them.
    func withSearchCorpus(
        _ backend: StoreBackend, _ body: (TrackingService, [String]) async throws -> Void
    )
        async throws
    {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            var ids: [String] = []
            for index in 0..<4 {
                let run = try await tracking.createRun(
                    experimentID: "0", userID: index < 2 ? "Ann" : "bob", runName: "run-\(index)",
                    startTime: Int64(10 * index), tags: [])
                ids.append(run.info.runID)
                try await tracking.logBatch(
                    runID: run.info.runID,
                    metrics: [
                        Metric(key: "acc", value: Double(index) / 10, timestamp: 1, step: 0),
                        Metric(key: "acc", value: Double(index), timestamp: 2, step: 1),
                    ],
                    params: [Param(key: "lr", value: "0.0\(index)")], tags: [Tag(key: "group", value: "G\(index % 2)")])
                let context = index % 2 == 0 ? "train" : "eval"
                try await tracking.logInputs(
                    runID: run.info.runID,
                    datasets: [
                        DatasetInput(
                            dataset: Dataset(
                                name: "data-\(index % 2)", digest: "d\(index)", sourceType: "s", source: "x"),
                            tags: [Tag(key: "mlflow.data.context", value: context)])
                    ], modelIDs: [])
            }
            _ = try await tracking.updateRun(id: ids[3], status: .finished, endTime: 100, runName: nil)
            _ = try await tracking.updateRun(id: ids[1], status: .failed, endTime: 50, runName: nil)
            let bare = try await tracking.createRun(
                experimentID: "0", userID: "", runName: "bare", startTime: 5, tags: [])
            ids.append(bare.info.runID)
            try await body(tracking, ids)
        }
    }

    /// Expects the runs `filter` finds to be those named, in any order.
    func expect(
        _ tracking: TrackingService, _ filter: String, finds expected: Set<String>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let found = Set(try await names(tracking, filter))
        #expect(found == expected, "\(filter)", sourceLocation: sourceLocation)
    }

    @Test(arguments: StoreBackend.all) func searchByEveryKindOfFilter(backend: StoreBackend) async throws {
        try await withSearchCorpus(backend) { tracking, ids async throws in
            try await expect(tracking, "metrics.acc >= 2", finds: ["run-2", "run-3"])
            try await expect(tracking, "metrics.acc = 1", finds: ["run-1"])
            try await expect(tracking, "metrics.acc != 1", finds: ["run-0", "run-2", "run-3"])
            try await expect(tracking, "metrics.acc IS NULL", finds: ["bare"])
            try await expect(tracking, "params.lr = '0.02'", finds: ["run-2"])
            try await expect(tracking, "params.lr != '0.02'", finds: ["run-0", "run-1", "run-3"])
            try await expect(tracking, "params.lr LIKE '0.0%'", finds: ["run-0", "run-1", "run-2", "run-3"])
            try await expect(tracking, "params.lr IS NOT NULL", finds: ["run-0", "run-1", "run-2", "run-3"])
            try await expect(tracking, "params.lr IS NULL", finds: ["bare"])
            try await expect(tracking, "tags.group = 'G1'", finds: ["run-1", "run-3"])
            try await expect(tracking, "tags.group LIKE 'g%'", finds: [])
            try await expect(tracking, "tags.group ILIKE 'g%'", finds: ["run-0", "run-1", "run-2", "run-3"])
            try await expect(tracking, "attributes.run_name = 'run-1'", finds: ["run-1"])
            try await expect(tracking, "run_name LIKE 'run-%'", finds: ["run-0", "run-1", "run-2", "run-3"])
            try await expect(
                tracking, "attributes.run_name ILIKE 'RUN-_'", finds: ["run-0", "run-1", "run-2", "run-3"])
            try await expect(tracking, "attributes.status = 'FINISHED'", finds: ["run-3"])
            try await expect(tracking, "attributes.status != 'RUNNING'", finds: ["run-1", "run-3"])
            try await expect(tracking, "attributes.start_time > 10", finds: ["run-2", "run-3"])
            try await expect(tracking, "attributes.created <= 5", finds: ["run-0", "bare"])
            try await expect(tracking, "attributes.end_time >= 50", finds: ["run-1", "run-3"])
            try await expect(tracking, "attributes.user_id = 'Ann'", finds: ["run-0", "run-1"])
            try await expect(tracking, "attributes.user_id ILIKE 'ann'", finds: ["run-0", "run-1"])
            try await expect(tracking, "attributes.run_id IN ('\(ids[1])', '\(ids[4])')", finds: ["run-1", "bare"])
            try await expect(
                tracking, "attributes.run_id NOT IN ('\(ids[1])', '\(ids[4])')", finds: ["run-0", "run-2", "run-3"])
            try await expect(tracking, "datasets.name = 'data-0'", finds: ["run-0", "run-2"])
            try await expect(tracking, "datasets.digest IN ('d1', 'd2')", finds: ["run-1", "run-2"])
            try await expect(tracking, "datasets.context = 'eval'", finds: ["run-1", "run-3"])
            try await expect(
                tracking, "datasets.name LIKE 'data-%' AND datasets.context = 'train'", finds: ["run-0", "run-2"])
            try await expect(tracking, "metrics.acc > 0 AND params.lr = '0.03' AND tags.group = 'G1'", finds: ["run-3"])
            try await expect(
                tracking, "params.lr = '0.00' OR attributes.status = 'FINISHED'", finds: ["run-0", "run-3"])
            // A value with LIKE's escape character matches itself: there is no escape character.
            try await expect(tracking, "params.lr LIKE '0\\.01'", finds: [])
        }
    }

    @Test(arguments: StoreBackend.all) func searchOrdersPutMissingValuesLast(backend: StoreBackend) async throws {
        try await withSearchCorpus(backend) { tracking, _ async throws in
            #expect(
                try await names(tracking, "", orderBy: ["metrics.acc DESC"]) == [
                    "run-3", "run-2", "run-1", "run-0", "bare",
                ])
            #expect(
                try await names(tracking, "", orderBy: ["metrics.acc ASC"]) == [
                    "run-0", "run-1", "run-2", "run-3", "bare",
                ])
            #expect(
                try await names(tracking, "", orderBy: ["params.lr DESC"]) == [
                    "run-3", "run-2", "run-1", "run-0", "bare",
                ])
            #expect(
                try await names(tracking, "", orderBy: ["tags.group ASC", "attributes.start_time DESC"]) == [
                    "run-2", "run-0", "run-3", "run-1", "bare",
                ])
            #expect(
                try await names(tracking, "", orderBy: ["attributes.end_time DESC"]) == [
                    "run-3", "run-1", "run-2", "bare", "run-0",
                ])
            #expect(try await names(tracking, "", orderBy: ["attributes.run_name DESC"]).first == "run-3")
            // By default: newest first.
            #expect(try await names(tracking, "") == ["run-3", "run-2", "run-1", "bare", "run-0"])
            #expect(try await names(tracking, "", maxResults: 2, offset: 2) == ["run-1", "bare"])
            // By the figures of a runs table.
            var search = try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: ["metrics.acc DESC"])
            search.order[0].summary = .minimum
            #expect(try await tracking.searchRuns(search).items.map(\.info.runName).first == "run-3")
            search.order[0].summary = .atStep(0)
            search.order[0].ascending = true
            #expect(
                try await tracking.searchRuns(search).items.map(\.info.runName) == [
                    "run-0", "run-1", "run-2", "run-3", "bare",
                ])
            search.order[0].summary = .mean
            #expect(try await tracking.searchRuns(search).items.map(\.info.runName).last == "bare")
        }
    }

    @Test(arguments: StoreBackend.all) func countRunsCountsEveryPage(backend: StoreBackend) async throws {
        try await withSearchCorpus(backend) { tracking, ids async throws in
            let all = try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: [], maxResults: 1)
            #expect(try await tracking.store.countRuns(all) == 5)
            let some = try RunSearch(experimentIDs: ["0"], filter: "metrics.acc > 1 OR run_name = 'bare'", orderBy: [])
            #expect(try await tracking.store.countRuns(some) == 3)
            #expect(try await tracking.store.countRuns(RunSearch(experimentIDs: ["x"], filter: nil, orderBy: [])) == 0)
            try await tracking.deleteRun(id: ids[0])
            #expect(try await tracking.store.countRuns(all) == 4)
            #expect(
                try await tracking.store.countRuns(
                    RunSearch(experimentIDs: ["0"], filter: nil, orderBy: [], viewType: .deletedOnly)) == 1)
            #expect(
                try await tracking.searchRuns(RunSearch(experimentIDs: ["0"], filter: nil, orderBy: [], viewType: .all))
                    .items.count == 5)
        }
    }
    /// Searches where one conjunct names few runs (a store may start from it) answer as a walk over every run would:
    /// the same runs in the same order, page by page, and the same count, alongside deleted runs, other experiments,
    /// NaN values and runs without the key.
    @Test(arguments: StoreBackend.all) func aSelectiveFilterFindsWhatAFullWalkFinds(backend: StoreBackend) async throws
    {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let other = try await tracking.createExperiment(name: "other", artifactLocation: nil, tags: [])
            struct Seeded {
                let id: String
                let index: Int
                let metric: Double?
                let param: String
                let tag: String
            }
            var seeded: [Seeded] = []
            for index in 0..<60 {
                let experiment = index % 10 == 9 ? other : "0"
                let id = try await tracking.createRun(
                    experimentID: experiment, userID: "", runName: "run-\(index)", startTime: Int64(1_000 + index),
                    tags: []
                ).info.runID
                let metric: Double? = index % 7 == 0 ? nil : index % 11 == 0 ? .nan : Double(index % 13)
                let param = String(index % 6)
                let tag = index % 4 == 0 ? "rare" : "common"
                try await tracking.logBatch(
                    runID: id,
                    metrics: metric.map { [Metric(key: "m", value: $0, timestamp: 1, step: 0)] } ?? [],
                    params: [Param(key: "p", value: param)], tags: [Tag(key: "t", value: tag)])
                if index % 17 == 5 { try await tracking.deleteRun(id: id) }
                if experiment == "0" && index % 17 != 5 {
                    seeded.append(Seeded(id: id, index: index, metric: metric, param: param, tag: tag))
                }
            }
            let cases: [(String, (Seeded) -> Bool)] = [
                ("params.p = '3'", { $0.param == "3" }),
                ("tags.t = 'rare' AND metrics.m < 6", { $0.tag == "rare" && ($0.metric.map { $0 < 6 } ?? false) }),
                ("metrics.m >= 12 AND params.p != '0'", { ($0.metric.map { $0 >= 12 } ?? false) && $0.param != "0" }),
                ("metrics.m = 4 AND tags.t = 'common'", { $0.metric == 4 && $0.tag == "common" }),
                ("params.p = '1' AND metrics.m > 100", { _ in false }),
                ("params.p = 'none'", { _ in false }),
                ("metrics.m > 3", { $0.metric.map { $0 > 3 } ?? false }),
                ("metrics.m <= 5 AND metrics.m > 1", { $0.metric.map { $0 <= 5 && $0 > 1 } ?? false }),
                ("metrics.m != 4", { $0.metric.map { $0 != 4 } ?? false }),
            ]
            for (filter, matches) in cases {
                // Newest first, the default order.
                let expected = seeded.filter(matches).sorted { $0.index > $1.index }.map(\.id)
                var found: [String] = []
                var token: String?
                repeat {
                    let page = try await tracking.searchRuns(
                        RunSearch(experimentIDs: ["0"], filter: filter, orderBy: [], maxResults: 2, pageToken: token))
                    found += page.items.map(\.info.runID)
                    token = page.nextPageToken
                } while token != nil
                #expect(found == expected, "\(filter)")
                #expect(
                    try await tracking.store.countRuns(RunSearch(experimentIDs: ["0"], filter: filter, orderBy: []))
                        == expected.count, "\(filter)")
                // By the metric, page by page: values, then NaN, then runs without it, ties newest first.
                for ascending in [true, false] {
                    func rank(_ run: Seeded) -> (Int, Double) {
                        guard let metric = run.metric else { return (2, 0) }
                        return metric.isNaN ? (1, 0) : (0, ascending ? metric : -metric)
                    }
                    let byMetric = seeded.filter(matches).sorted {
                        rank($0) != rank($1) ? rank($0) < rank($1) : $0.index > $1.index
                    }.map(\.id)
                    var found: [String] = []
                    var token: String?
                    repeat {
                        let page = try await tracking.searchRuns(
                            RunSearch(
                                experimentIDs: ["0"], filter: filter,
                                orderBy: ["metrics.m \(ascending ? "ASC" : "DESC")"], maxResults: 3, pageToken: token))
                        found += page.items.map(\.info.runID)
                        token = page.nextPageToken
                    } while token != nil
                    #expect(found == byMetric, "\(filter) by metrics.m \(ascending ? "ascending" : "descending")")
                }
            }
        }
    }
}

extension TrackingStoreConformanceTests {
    /// NaN sorts after every value and a run without the metric after NaN, in both directions, for the last value and
    /// the value at a step; ties fall back to the newest run first.
    @Test(arguments: StoreBackend.all) func metricOrdersPutNaNAfterValuesAndMissingLast(
        backend: StoreBackend
    )
        async throws
    {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let values: [Double?] = [0.3, .nan, 0.1, nil, 0.2, .nan, -1]
            for (index, value) in values.enumerated() {
                let run = try await tracking.createRun(
                    experimentID: "0", userID: "", runName: "r\(index)", startTime: Int64(index), tags: [])
                guard let value else { continue }
                try await tracking.logBatch(
                    runID: run.info.runID, metrics: [Metric(key: "m", value: value, timestamp: 1, step: 3)], params: [],
                    tags: [])
            }
            for summary in [MetricAggregate.last, .atStep(3)] {
                var search = try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: ["metrics.m ASC"])
                search.order[0].summary = summary
                #expect(
                    try await tracking.searchRuns(search).items.map(\.info.runName)
                        == ["r6", "r2", "r4", "r0", "r5", "r1", "r3"], "\(summary) ascending")
                search.order[0].ascending = false
                #expect(
                    try await tracking.searchRuns(search).items.map(\.info.runName)
                        == ["r0", "r4", "r2", "r6", "r5", "r1", "r3"], "\(summary) descending")
            }
        }
    }
}

extension TrackingStoreConformanceTests {
    /// Equality on a param or tag value longer than a store's index holds, or sharing a long prefix with others,
    /// finds exactly the runs with that whole value.
    @Test(arguments: StoreBackend.all) func equalityComparesLongValuesWhole(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let long = String(repeating: "é", count: 199)
            let values = [long, long + "x", long + "xy", String(repeating: "é", count: 250), "short"]
            for (index, value) in values.enumerated() {
                let run = try await tracking.createRun(
                    experimentID: "0", userID: "", runName: "r\(index)", startTime: Int64(index), tags: [])
                try await tracking.logBatch(
                    runID: run.info.runID, metrics: [], params: [Param(key: "p", value: value)],
                    tags: [Tag(key: "t", value: value)])
            }
            for (index, value) in values.enumerated() {
                for entity in ["params.p", "tags.t"] {
                    #expect(try await names(tracking, "\(entity) = '\(value)'") == ["r\(index)"], "\(entity) #\(index)")
                }
            }
            #expect(try await names(tracking, "params.p = '\(String(repeating: "é", count: 200))'").isEmpty)
            #expect(try await names(tracking, "params.p = '\(long)xz'").isEmpty)
        }
    }
}

extension TrackingStoreConformanceTests {
    /// A page of many runs (which a store may load in parts at once) holds every run whole, in the page's order.
    @Test(arguments: StoreBackend.all) func aLargePageHoldsEveryRunWholeInOrder(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let count = 520
            for index in 0..<count {
                let run = try await tracking.createRun(
                    experimentID: "0", userID: "", runName: "r\(index)", startTime: Int64(index), tags: [])
                try await tracking.logBatch(
                    runID: run.info.runID,
                    metrics: [
                        Metric(key: "m", value: Double((index * 7) % count), timestamp: 1, step: 0),
                        Metric(key: "n", value: Double(index), timestamp: 1, step: 0),
                    ],
                    params: [Param(key: "p", value: "p\(index)")], tags: [Tag(key: "t", value: "t\(index)")])
            }
            let page = try await tracking.searchRuns(
                RunSearch(experimentIDs: ["0"], filter: "metrics.n >= 0", orderBy: ["metrics.m ASC"], maxResults: 1000))
            let order = (0..<count).sorted { ($0 * 7) % count < ($1 * 7) % count }
            #expect(page.items.map(\.info.runName) == order.map { "r\($0)" })
            let partial = page.items.filter { run in
                let index = Int(run.info.runName.dropFirst()) ?? -1
                return run.metrics.map(\.key) != ["m", "n"] || run.metrics[1].value != Double(index)
                    || run.params.map(\.value) != ["p\(index)"]
                    || run.tags.filter({ $0.key == "t" }).map(\.value) != ["t\(index)"]
            }
            #expect(partial.isEmpty, "runs loaded partly or mixed up: \(partial.prefix(3).map(\.info.runName))")
        }
    }
}
