import Hummingbird
import KaizenCore
import KaizenTracking

/// Endpoints the web UI reads beyond MLflow's REST API, under `/api/2.0/kaizen/` and `/ajax-api/2.0/kaizen/`:
/// a page of the runs table with metric summaries and a total, and a metric reduced for a chart.
enum UIDataRoutes {
    static func register(on endpoints: EndpointRegistrar<some RequestContext>, tracking: TrackingService) {
        endpoints.register("runs/table", namespace: "kaizen", methods: [.post]) { message in
            var search = try RunSearch(
                experimentIDs: try message.strings("experiment_ids"), filter: try message.string("filter"),
                orderBy: try message.strings("order_by"),
                viewType: try TrackingJSON.viewType(message, field: "run_view_type"),
                maxResults: try message.int64("max_results") ?? 100)
            search.offset = Int(try nonNegative(message, "offset"))
            let summaries = try message.strings("order_summaries")
            guard summaries.isEmpty || summaries.count == search.order.count else {
                throw KaizenError.invalidParameter(
                    "order_summaries has \(summaries.count) items for \(search.order.count) order_by clauses")
            }
            for (index, text) in summaries.enumerated() {
                let summary = try MetricAggregate(parsing: text)
                guard summary == .last || search.order[index].entity == .metric else {
                    throw KaizenError.invalidParameter("Only metrics have summaries: '\(text)' on order_by \(index)")
                }
                search.order[index].summary = summary
            }
            let columns = try message.messages("step_columns").map { item throws(KaizenError) in
                RunTable.StepColumn(key: try item.requireString("key"), step: try item.requireInt64("step"))
            }
            return table(try await tracking.runTable(search, stepColumns: columns))
        }
        endpoints.register("metrics/series", namespace: "kaizen", methods: [.get]) { message in
            let axisText = try message.string("axis") ?? "step"
            guard let axis = MetricSeriesRequest.Axis(rawValue: axisText) else {
                throw KaizenError.invalidValue(axisText, for: "axis", hint: "Expected 'step' or 'time'")
            }
            let request = try MetricSeriesRequest(
                runID: try RunRoutes.runID(message), key: try message.requireString("metric_key"), axis: axis,
                lower: try message.int64("min"), upper: try message.int64("max"),
                buckets: Int(try message.int64("buckets") ?? 1_000),
                rawLimit: Int(try message.int64("raw_limit") ?? 2_000))
            return series(try await tracking.metricSeries(request))
        }
    }

    static func nonNegative(_ message: RequestMessage, _ name: String) throws(KaizenError) -> Int64 {
        let value = try message.int64(name) ?? 0
        guard value >= 0, value <= Int64(Int32.max) else { throw .invalidValue(String(value), for: name) }
        return value
    }

    static func table(_ table: RunTable) -> JSONValue {
        let columns = table.stepValues.keys.sorted { ($0.key, $0.step) < ($1.key, $1.step) }
        return .object([
            ("total", .integer(Int64(table.total))), ("offset", .integer(Int64(table.offset))),
            (
                "runs",
                .array(
                    table.runs.map { run in
                        let id = run.info.runID
                        return .object([
                            ("info", TrackingJSON.runInfo(run.info)),
                            ("params", .object(run.params.map { ($0.key, .string($0.value)) })),
                            ("tags", .object(run.tags.map { ($0.key, .string($0.value)) })),
                            ("metrics", .array((table.summaries[id] ?? []).map(summary))),
                            (
                                "step_values",
                                .object(
                                    columns.compactMap { column in
                                        table.stepValues[column]?[id].map {
                                            ("\(column.key)@\(column.step)", .double($0))
                                        }
                                    })
                            ),
                        ])
                    })
            ),
        ])
    }

    static func summary(_ summary: MetricSummary) -> JSONValue {
        .fields(
            ("key", .string(summary.key)), ("last", .double(summary.last)), ("step", .integer(summary.lastStep)),
            ("timestamp", .integer(summary.lastTimestamp)), ("min", summary.minimum.map { .double($0) }),
            ("max", summary.maximum.map { .double($0) }), ("mean", summary.mean.map { .double($0) }),
            ("count", .integer(summary.count)))
    }

    /// Points as `[step, timestamp, value]`, buckets as `[lower x, upper x, min, max, last, count]`: compact, since
    /// a chart reads thousands of them.
    static func series(_ series: MetricSeries) -> JSONValue {
        .object([
            ("min", .integer(series.lowerX)), ("max", .integer(series.upperX)), ("total", .integer(series.total)),
            (
                "points",
                .array(series.points.map { .array([.integer($0.step), .integer($0.timestamp), .double($0.value)]) })
            ),
            (
                "buckets",
                .array(
                    series.buckets.map { bucket in
                        .array([
                            .integer(bucket.lowerX), .integer(bucket.upperX), .double(bucket.minimum),
                            .double(bucket.maximum), .double(bucket.last), .integer(bucket.count),
                        ])
                    })
            ),
        ])
    }
}
