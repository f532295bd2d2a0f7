import Hummingbird
import KaizenCore
import KaizenMonitoring
import NIOCore

/// Monitoring under `/api/2.0/kaizen/monitor`: replicas ship their inference-log segments here, and readers list
/// them.
enum MonitorRoutes {
    static func register<Context: RequestContext>(
        on router: Router<Context>, endpoints: EndpointRegistrar<Context>, monitor: MonitorService, bodyLimit: Int
    ) {
        // The segment's description in the query string, its gzip'd JSON lines as the body.
        for prefix in ["/api", "/ajax-api"] {
            router.post(RouterPath("\(prefix)/2.0/kaizen/monitor/segments")) { request, _ in
                let message = RequestMessage(fields: QueryString.parse(request.uri.query ?? ""), fromQuery: true)
                let segment = try Self.segment(message)
                try segment.validate()
                let body: ByteBuffer
                do {
                    body = try await request.body.collect(upTo: MonitorService.maximumSegmentBytes)
                } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                    throw KaizenError.invalidParameter(
                        "A segment is at most \(MonitorService.maximumSegmentBytes) compressed bytes")
                }
                let (kept, stored) = try await monitor.receive(segment, compressed: Array(body.readableBytesView))
                return JSONResponse.make(.object([("segment", kept.json), ("stored", .bool(stored))]))
            }
        }
        endpoints.register("monitor/segments/list", namespace: "kaizen", methods: [.get]) { message in
            let segments = try await monitor.segments(
                endpoint: try message.requireString("endpoint"), from: try message.int64("from"),
                to: try message.int64("to"))
            return .object([("segments", .array(segments.map(\.json)))])
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
