import KaizenCore
import KaizenTracking
import Testing

extension TrackingStoreConformanceTests {
    @Test(arguments: StoreBackend.all) func latestValuesAndSummariesCountEachValueOnce(
        backend: StoreBackend
    ) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info.runID
            let batch = [
                Metric(key: "loss", value: 4, timestamp: 10, step: 0),
                Metric(key: "loss", value: .nan, timestamp: 11, step: 1),
                Metric(key: "loss", value: 2, timestamp: 11, step: 1),
                Metric(key: "loss", value: 1, timestamp: 5, step: 1),
                Metric(key: "only-nan", value: .nan, timestamp: 1),
            ]
            try await tracking.logBatch(runID: id, metrics: batch, params: [], tags: [])
            try await tracking.logBatch(runID: id, metrics: batch, params: [], tags: [])
            // Latest: the greatest step, then timestamp, then a value over NaN.
            let latest = try await tracking.run(id: id).metrics
            #expect(latest.map(\.key) == ["loss", "only-nan"])
            #expect(latest[0] == Metric(key: "loss", value: 2, timestamp: 11, step: 1))
            #expect(latest[1].value.isNaN)
            var summaries = try await tracking.store.metricSummaries(runIDs: [id, "unknown"])
            #expect(summaries.keys.sorted() == [id])
            let loss = try #require(summaries[id]?.first)
            #expect(loss.minimum == 1)
            #expect(loss.maximum == 4)
            #expect(loss.mean == 7.0 / 3)
            #expect(loss.count == 4)
            #expect(loss.last == 2)
            #expect(loss.lastStep == 1)
            #expect(loss.lastTimestamp == 11)
            let nan = try #require(summaries[id]?.last)
            #expect(nan.minimum == nil)
            #expect(nan.mean == nil)
            #expect(nan.count == 1)

            // A later step wins even with an older timestamp; an older step never does.
            try await tracking.logBatch(
                runID: id,
                metrics: [
                    Metric(key: "loss", value: 9, timestamp: 1, step: 2),
                    Metric(key: "loss", value: 0.5, timestamp: 99, step: 0),
                ], params: [], tags: [])
            #expect(try await tracking.run(id: id).metrics[0] == Metric(key: "loss", value: 9, timestamp: 1, step: 2))
            summaries = try await tracking.store.metricSummaries(runIDs: [id])
            #expect(summaries[id]?.first?.minimum == 0.5)
            #expect(summaries[id]?.first?.maximum == 9)
            #expect(summaries[id]?.first?.count == 6)

            let values = try await tracking.store.metricValues(runIDs: [id, "unknown"], key: "loss", step: 1)
            #expect(values == [id: 2])
            #expect(try await tracking.store.metricValues(runIDs: [id], key: "only-nan", step: 0)[id]?.isNaN == true)
            #expect(try await tracking.store.metricValues(runIDs: [], key: "loss", step: 1).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.all) func metricHistoryIsOrderedAndPaged(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info.runID
            let metrics: [Metric] = (0..<30).map { (index: Int) -> Metric in
                let value = Double(30 - index)
                // Some values carry a model and a dataset, or one of their parts: each comes back as logged.
                return Metric(
                    key: "m", value: value, timestamp: Int64(index / 3), step: Int64(index % 3),
                    modelID: index % 4 == 1 ? "m-\(index)" : nil, datasetName: index % 5 == 2 ? "train" : nil,
                    datasetDigest: index % 5 >= 2 ? "d\(index)" : nil)
            }
            try await tracking.logBatch(runID: id, metrics: metrics.shuffled(), params: [], tags: [])
            let all = try await tracking.metricHistory(runID: id, key: "m", maxResults: nil, pageToken: nil)
            #expect(all.items == metrics)
            let first = try await tracking.metricHistory(runID: id, key: "m", maxResults: 20, pageToken: nil)
            #expect(first.items == Array(metrics.prefix(20)))
            let rest = try await tracking.metricHistory(
                runID: id, key: "m", maxResults: 20, pageToken: first.nextPageToken)
            #expect(rest.items == Array(metrics.suffix(10)))
            #expect(rest.nextPageToken == nil)
            #expect(
                try await tracking.metricHistory(runID: id, key: "none", maxResults: nil, pageToken: nil).items.isEmpty)
            let missing = "0123456789abcdef0123456789abcdef"
            await #expect(throws: TrackingError.runNotFound(missing)) {
                try await tracking.metricHistory(runID: missing, key: "m", maxResults: nil, pageToken: nil)
            }
            // Equal timestamp and step: by value.
            try await tracking.logBatch(
                runID: id,
                metrics: [Metric(key: "tie", value: 3, timestamp: 1), Metric(key: "tie", value: 1, timestamp: 1)],
                params: [], tags: [])
            #expect(
                try await tracking.metricHistory(runID: id, key: "tie", maxResults: nil, pageToken: nil).items.map(
                    \.value)
                    == [1, 3])
            // A history where no value carries a model or a dataset: NaN comes back as NaN, the infinities as the
            // largest finite values (as MLflow stores them).
            let specials: [Double] = [.nan, .infinity, -.infinity, 1.5]
            try await tracking.logBatch(
                runID: id,
                metrics: specials.enumerated().map { Metric(key: "special", value: $1, timestamp: Int64($0), step: 2) },
                params: [], tags: [])
            let read = try await tracking.metricHistory(runID: id, key: "special", maxResults: nil, pageToken: nil)
                .items
            #expect(read.count == 4)
            #expect(read.first?.value.isNaN == true)
            #expect(read.dropFirst().map(\.value) == [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1.5])
            #expect(read.map(\.step) == [2, 2, 2, 2])
            #expect(read.allSatisfy { $0.modelID == nil && $0.datasetName == nil && $0.datasetDigest == nil })
        }
    }

    @Test(arguments: StoreBackend.all) func bucketsMatchTheBuilderOnUnevenData(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info.runID
            // Steps with gaps and repeats, NaNs, a spike, timestamps out of step order: every case a bucket meets.
            var generator = SplitMix64(seed: 7)
            let metrics = (0..<3_000).map { index in
                let step = Int64(index / 2 * 3 + Int(generator.next() % 2))
                let value = index % 97 == 0 ? Double.nan : index == 1_234 ? 1e6 : Double(generator.next() % 1_000) / 7
                return Metric(key: "m", value: value, timestamp: 50_000 - Int64(index) * 11, step: step)
            }
            for start in stride(from: 0, to: metrics.count, by: 1_000) {
                try await tracking.logBatch(
                    runID: id, metrics: Array(metrics[start..<start + 1_000]), params: [], tags: [])
            }
            for request in try [
                MetricSeriesRequest(runID: id, key: "m", buckets: 37, rawLimit: 10),
                MetricSeriesRequest(runID: id, key: "m", lower: 100, upper: 2_001, buckets: 1_000, rawLimit: 0),
                MetricSeriesRequest(runID: id, key: "m", axis: .time, buckets: 13, rawLimit: 5),
            ] {
                let series = try await tracking.metricSeries(request)
                let ordered = metrics.sorted {
                    let a = request.axis == .step ? ($0.step, $0.timestamp) : ($0.timestamp, $0.step)
                    let b = request.axis == .step ? ($1.step, $1.timestamp) : ($1.timestamp, $1.step)
                    return a < b
                }
                let xs = ordered.map { request.axis == .step ? $0.step : $0.timestamp }
                let lower = request.lower ?? xs.min()!
                let upper = request.upper ?? xs.max()!
                var builder = MetricSeriesBuilder(request: request, lower: lower, upper: upper)
                for (metric, x) in zip(ordered, xs) where (lower...upper).contains(x) {
                    builder.add(
                        position: x, partner: request.axis == .step ? metric.timestamp : metric.step,
                        value: metric.value, isNaN: metric.value.isNaN)
                }
                #expect(series == builder.series)
                #expect(series.buckets.count > 1)
            }
        }
    }

    @Test(arguments: StoreBackend.all) func metricSeriesRawAndBucketed(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
                .info.runID
            let metrics = (0..<100).map { step in
                Metric(
                    key: "m", value: step == 50 ? .nan : Double(step), timestamp: 1000 + Int64(step), step: Int64(step))
            }
            try await tracking.logBatch(runID: id, metrics: metrics, params: [], tags: [])
            let raw = try await tracking.metricSeries(MetricSeriesRequest(runID: id, key: "m", rawLimit: 100))
            #expect(raw.total == 100)
            #expect(raw.points == metrics)
            #expect(raw.buckets.isEmpty)
            #expect(raw.lowerX == 0)
            #expect(raw.upperX == 99)
            let bucketed = try await tracking.metricSeries(
                MetricSeriesRequest(runID: id, key: "m", lower: 10, upper: 59, buckets: 5, rawLimit: 10))
            #expect(bucketed.total == 50)
            #expect(bucketed.points.isEmpty)
            #expect(bucketed.buckets.count == 5)
            #expect(
                bucketed.buckets.first
                    == MetricSeries.Bucket(lowerX: 10, upperX: 19, minimum: 10, maximum: 19, last: 19, count: 10))
            #expect(
                bucketed.buckets[4]
                    == MetricSeries.Bucket(lowerX: 51, upperX: 59, minimum: 51, maximum: 59, last: 59, count: 9))
            let byTime = try await tracking.metricSeries(
                MetricSeriesRequest(runID: id, key: "m", axis: .time, lower: 1090, rawLimit: 100))
            #expect(byTime.points.map(\.step) == Array(90..<100))
            #expect(byTime.lowerX == 1090)
            #expect(byTime.upperX == 1099)
            #expect(try await tracking.metricSeries(MetricSeriesRequest(runID: id, key: "none")) == .empty)
            let missing = "0123456789abcdef0123456789abcdef"
            await #expect(throws: TrackingError.runNotFound(missing)) {
                try await tracking.metricSeries(MetricSeriesRequest(runID: missing, key: "m"))
            }
        }
    }
}
