import Hummingbird
import KaizenCore
import KaizenTracking

/// The runs, logging and metric-history endpoints of MLflow's REST API.
enum RunRoutes {
    /// The run id of a request: `run_id`, or the deprecated `run_uuid` that clients also send.
    static func runID(_ message: RequestMessage) throws(KaizenError) -> String {
        if let id = try message.string("run_id"), !id.isEmpty { return id }
        if let id = try message.string("run_uuid"), !id.isEmpty { return id }
        throw .missingParameter("run_id")
    }

    /// `{"run": ...}`, written straight into bytes.
    static func written(_ run: Run) -> JSONWriter {
        var json = JSONWriter(capacity: 2_048)
        json.object {
            $0.key("run")
            TrackingJSON.write(run, to: &$0)
        }
        return json
    }

    /// A run as a search page holds it, which the store may keep between searches.
    static let runRendering = RunRendering { run in
        var json = JSONWriter(capacity: 2_048)
        TrackingJSON.write(run, to: &json)
        return json.bytes
    }

    /// About the bytes of JSON from which a page is written in two halves at once.
    static let concurrentPageBytes = 256 * 1024

    /// One page of `items` as `{"<field>": [...], "next_page_token": ...}`, written straight into bytes;
    /// `capacity` is about the bytes of one item.
    ///
    /// A page of about `concurrentPageBytes` or more (a 10,000-point history, 685 KB; a search page of 1,000 runs)
    /// is written in two halves at once, on two cores, and joined: writing the JSON was about half of such a
    /// request's CPU, and a request is otherwise served by one core.
    static func written<Item: Sendable>(
        _ page: Page<Item>, field: StaticString, capacity: Int,
        _ write: @escaping @Sendable (inout JSONWriter, Item) -> Void
    ) async -> JSONWriter {
        await written(page, field: field, capacity: capacity) { part, json in
            for item in part { write(&json, item) }
        }
    }

    /// The same, with `elements` writing a run of items as elements of the array being written.
    static func written<Item: Sendable>(
        _ page: Page<Item>, field: StaticString, capacity: Int,
        elements: @escaping @Sendable (ArraySlice<Item>, inout JSONWriter) -> Void
    ) async -> JSONWriter {
        let items = page.items
        var json = JSONWriter(capacity: 64 + capacity * items.count)
        func part(_ part: ArraySlice<Item>) -> JSONWriter {
            var writer = JSONWriter(capacity: capacity * part.count)
            elements(part, &writer)
            return writer
        }
        json.beginObject()
        // An empty list is left out, as protobuf's JSON leaves it out.
        if !items.isEmpty {
            json.key(literal: field)
            json.beginArray()
            if items.count >= 2, capacity * items.count >= concurrentPageBytes {
                // The first half goes straight into the page while the second is written apart, then copied in.
                let middle = items.count / 2
                async let second = part(items[middle...])
                elements(items[..<middle], &json)
                json.appendElements(of: await second)
            } else {
                elements(items[...], &json)
            }
            json.endArray()
        }
        json.field("next_page_token", page.nextPageToken)
        json.endObject()
        return json
    }

    static func register(on endpoints: EndpointRegistrar<some RequestContext>, tracking: TrackingService) {
        endpoints.register(
            "runs/create", methods: [.post],
            writing: { message in
                let run = try await tracking.createRun(
                    experimentID: try message.identifier("experiment_id") ?? "0",
                    userID: try message.string("user_id") ?? "", runName: try message.string("run_name"),
                    startTime: try message.int64("start_time"), tags: try TrackingJSON.tags(message))
                return written(run)
            })
        endpoints.register(
            "runs/get", methods: [.get],
            writing: { message in
                written(try await tracking.run(id: try runID(message)))
            })
        endpoints.register("runs/update", methods: [.post]) { message in
            var status: RunStatus?
            if let text = try message.identifier("status") {
                guard let parsed = RunStatus(wire: text) else { throw KaizenError.invalidValue(text, for: "status") }
                status = parsed
            }
            let info = try await tracking.updateRun(
                id: try runID(message), status: status, endTime: try message.int64("end_time"),
                runName: try message.string("run_name"))
            return .object([("run_info", TrackingJSON.runInfo(info))])
        }
        endpoints.register("runs/delete", methods: [.post]) { message in
            try await tracking.deleteRun(id: try runID(message))
            return .object([])
        }
        endpoints.register("runs/restore", methods: [.post]) { message in
            try await tracking.restoreRun(id: try runID(message))
            return .object([])
        }
        endpoints.register("runs/log-metric", methods: [.post]) { message in
            try await tracking.logMetric(runID: try runID(message), metric: try TrackingJSON.metric(from: message))
            return .object([])
        }
        endpoints.register("runs/log-parameter", methods: [.post]) { message in
            let param = Param(key: try message.requireString("key"), value: try message.string("value") ?? "")
            try await tracking.logParam(runID: try runID(message), param: param)
            return .object([])
        }
        endpoints.register("runs/set-tag", methods: [.post]) { message in
            let tag = Tag(key: try message.requireString("key"), value: try message.string("value") ?? "")
            try await tracking.setTag(runID: try runID(message), tag: tag)
            return .object([])
        }
        endpoints.register("runs/delete-tag", methods: [.post]) { message in
            try await tracking.deleteTag(runID: try runID(message), key: try message.requireString("key"))
            return .object([])
        }
        endpoints.register("runs/log-batch", methods: [.post]) { message in
            let metrics = try message.messages("metrics").map { item throws(KaizenError) in
                try TrackingJSON.metric(from: item)
            }
            try await tracking.logBatch(
                runID: try runID(message), metrics: metrics, params: try TrackingJSON.params(message),
                tags: try TrackingJSON.tags(message))
            return .object([])
        }
        endpoints.register("runs/log-inputs", methods: [.post]) { message in
            let datasets = try message.messages("datasets").map { item throws(KaizenError) in
                guard let dataset = try item.message("dataset") else { throw KaizenError.missingParameter("dataset") }
                return DatasetInput(
                    dataset: Dataset(
                        name: try dataset.string("name") ?? "", digest: try dataset.string("digest") ?? "",
                        sourceType: try dataset.string("source_type") ?? "", source: try dataset.string("source") ?? "",
                        schema: try dataset.string("schema"), profile: try dataset.string("profile")),
                    tags: try TrackingJSON.tags(item))
            }
            let models = try message.messages("models").map { item throws(KaizenError) in
                try item.requireString("model_id")
            }
            try await tracking.logInputs(runID: try runID(message), datasets: datasets, modelIDs: models)
            return .object([])
        }
        endpoints.register("runs/outputs", methods: [.post]) { message in
            let models = try message.messages("models").map { item throws(KaizenError) in
                ModelOutput(modelID: try item.requireString("model_id"), step: try item.int64("step") ?? 0)
            }
            try await tracking.logOutputs(runID: try runID(message), models: models)
            return .object([])
        }
        endpoints.register(
            "runs/search", methods: [.post, .get],
            writing: { message in
                let search = try RunSearch(
                    experimentIDs: try message.strings("experiment_ids"), filter: try message.string("filter"),
                    orderBy: try message.strings("order_by"),
                    viewType: try TrackingJSON.viewType(message, field: "run_view_type"),
                    maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
                let page = try await tracking.searchRenderedRuns(search, rendering: runRendering)
                let capacity = page.items.reduce(1) { $0 + $1.count } / max(1, page.items.count)
                return await written(page, field: "runs", capacity: capacity) { $0.appendElement(serialized: $1) }
            })
        endpoints.register(
            "metrics/get-history", methods: [.get],
            writing: { message in
                let page = try await tracking.metricHistory(
                    runID: try runID(message), key: try message.requireString("metric_key"),
                    maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
                return await written(page, field: "metrics", capacity: 80, elements: TrackingJSON.writeHistory)
            })
    }
}
