import Hummingbird
import KaizenCore
import KaizenMonitoring
import NIOCore

/// Monitoring under `/api/2.0/kaizen/monitor`: replicas ship their inference-log segments here, and readers list
/// them.
enum MonitorRoutes {
    static func register<Context: RequestContext>(
        on router: Router<Context>, endpoints: EndpointRegistrar<Context>, monitor: MonitorService,
        alerter: MonitorAlerter
    ) {
        // The latest monitored figures per endpoint, version and column, for Prometheus.
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: alerter.exposition())))
        }
        endpoints.register("monitor/rules/set", namespace: "kaizen", methods: [.post]) { message in
            let rules = try MonitorRules(json: message.checkedFields())
            try await monitor.setRules(rules)
            return .object([("rules", rules.json)])
        }
        endpoints.register("monitor/rules/get", namespace: "kaizen", methods: [.get]) { message in
            let endpoint = try message.requireString("endpoint")
            return .object([("rules", try await monitor.rules(endpoint: endpoint)?.json ?? .null)])
        }
        endpoints.register("monitor/alerts/list", namespace: "kaizen", methods: [.get]) { message in
            let alerts = try await monitor.alerts(
                endpoint: try message.requireString("endpoint"), limit: Int(try message.int64("max_results") ?? 100))
            return .object([("alerts", .array(alerts.map(\.json)))])
        }
        // The segment's description in the query string, its gzip'd JSON lines as the body.
        for prefix in ["/api", "/ajax-api"] {
            router.post(RouterPath("\(prefix)/2.0/kaizen/monitor/segments")) { request, _ in
                let message = RequestMessage(fields: QueryString.parse(request.uri.query ?? ""), fromQuery: true)
                let segment = try Self.segment(message)
                try segment.validate()
                let body = try await Self.body(
                    of: request, limit: MonitorService.maximumSegmentBytes,
                    refusal: "A segment is at most \(MonitorService.maximumSegmentBytes) compressed bytes")
                let (kept, stored) = try await monitor.receive(segment, compressed: Array(body.readableBytesView))
                return JSONResponse.make(.object([("segment", kept.json), ("stored", .bool(stored))]))
            }
        }
        // A reference data file (CSV, or JSON lines with format=jsonl) as the body.
        for prefix in ["/api", "/ajax-api"] {
            router.post(RouterPath("\(prefix)/2.0/kaizen/monitor/reference")) { request, _ in
                let message = RequestMessage(fields: QueryString.parse(request.uri.query ?? ""), fromQuery: true)
                let endpoint = try message.requireString("endpoint")
                let formatName = try message.string("format") ?? "csv"
                guard let format = MonitorService.DataFormat(rawValue: formatName) else {
                    throw KaizenError.invalidParameter("'format' is csv or jsonl, not '\(formatName.prefix(50))'")
                }
                let body = try await Self.body(
                    of: request, limit: MonitorService.maximumReferenceBytes,
                    refusal: "A reference is at most \(MonitorService.maximumReferenceBytes >> 20) MB")
                let (rows, columns) = try await monitor.setReference(
                    endpoint: endpoint, data: Array(body.readableBytesView), format: format,
                    source: "The reference for \(endpoint)")
                return JSONResponse.make(
                    .object([("rows", .integer(Int64(rows))), ("columns", .array(columns.map(JSONValue.string)))]))
            }
        }
        endpoints.register("monitor/reference/from-log", namespace: "kaizen", methods: [.post]) { message in
            let endpoint = try message.requireString("endpoint")
            let (rows, columns, labelled) = try await monitor.setReference(
                endpoint: endpoint, fromLogOf: try message.string("source_endpoint") ?? endpoint,
                from: try message.requireInt64("from"), to: try message.requireInt64("to"))
            return .object([
                ("rows", .integer(Int64(rows))), ("columns", .array(columns.map(JSONValue.string))),
                ("labelled_rows", .integer(Int64(labelled))),
            ])
        }
        endpoints.register("monitor/feedback", namespace: "kaizen", methods: [.post]) { message in
            let endpoint = try message.requireString("endpoint")
            let items = try Feedback.items(from: message.checkedFields())
            return .object([("accepted", .integer(Int64(try await monitor.addFeedback(items, endpoint: endpoint))))])
        }
        endpoints.register("monitor/report", namespace: "kaizen", methods: [.get]) { message in
            let endpoint = try message.requireString("endpoint")
            let now = currentTimeMillis()
            let window = try message.int64("window_seconds") ?? 3600
            guard window > 0, window <= 366 * 86_400 else {
                throw KaizenError.invalidParameter("'window_seconds' must be 1 to 31622400")
            }
            let to = try message.int64("to") ?? now
            var options = MonitorReport.Options(
                from: try message.int64("from") ?? (to - 86_400_000), to: to, window: window * 1000,
                prediction: try message.string("prediction"), segmentColumn: try message.string("segment_by"))
            if let task = try message.string("task") {
                guard let parsed = MonitorReport.Task(rawValue: task) else {
                    throw KaizenError.invalidParameter("'task' is classification or regression")
                }
                options.task = parsed
            }
            let format = try message.string("format") ?? "json"
            guard format == "json" || format == "html" else {
                throw KaizenError.invalidParameter("'format' is json or html, not '\(format.prefix(50))'")
            }
            let reference = try await monitor.reference(endpoint: endpoint)
            let report = try await monitor.report(endpoint: endpoint, options: options, reference: reference)
            // The page travels inside the JSON answer, so that errors and answers keep one format.
            return format == "html" ? .object([("html", .string(report.html()))]) : report.json
        }
        endpoints.register("monitor/segments/list", namespace: "kaizen", methods: [.get]) { message in
            let segments = try await monitor.segments(
                endpoint: try message.requireString("endpoint"), from: try message.int64("from"),
                to: try message.int64("to"))
            return .object([("segments", .array(segments.map(\.json)))])
        }
    }

    /// The request's body, at most `limit` bytes; a larger one is refused with `refusal`.
    static func body(of request: Request, limit: Int, refusal: String) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw KaizenError.invalidParameter(refusal)
        }
    }

    /// A segment's description from the request's fields.
    static func segment(_ message: RequestMessage) throws(KaizenError) -> InferenceSegment {
        InferenceSegment(
            endpoint: try message.requireString("endpoint"), replicaID: try message.requireString("replica_id"),
            sequence: try message.requireInt64("sequence"), firstTime: try message.requireInt64("first_time"),
            lastTime: try message.requireInt64("last_time"), records: try message.requireInt64("records"),
            requests: try message.requireInt64("requests"), dropped: try message.int64("dropped") ?? 0)
    }
}
