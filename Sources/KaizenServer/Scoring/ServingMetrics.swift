public import KaizenServing
import Prometheus

/// The serving process's Prometheus metrics, labelled with the model name and version that answered.
public final class ServingMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384]

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by endpoint and status.")
    }
    static var errors: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "request_errors", unitName: "total",
            helpText: "Requests answered with an error status.")
    }
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from request to response.")
    }
    static var rowCount: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "rows", unitName: "total", helpText: "Rows scored.")
    }
    static var batchSize: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "batch_size", unitName: "",
            helpText: "Rows per engine call (requests stacked by the micro-batcher).")
    }

    public init() {}

    /// The model's labels; empty while the first model loads.
    static func labels(_ model: ScoringModel?) -> [(String, String)] {
        [("model", model?.name ?? ""), ("version", model?.version ?? "")]
    }

    /// Counts a finished request and its latency.
    func request(model: ScoringModel?, endpoint: String, status: Int, duration: Duration) {
        let labels = Self.labels(model)
        registry.makeCounter(
            descriptor: Self.requests, labels: labels + [("endpoint", endpoint), ("status", String(status))]
        ).increment()
        if status >= 400 {
            registry.makeCounter(
                descriptor: Self.errors, labels: labels + [("endpoint", endpoint), ("status", String(status))]
            ).increment()
        }
        registry.makeDurationHistogram(
            descriptor: Self.latency, labels: labels + [("endpoint", endpoint)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Counts rows scored for a request.
    func rows(_ rows: Int, model: ScoringModel?) {
        registry.makeCounter(descriptor: Self.rowCount, labels: Self.labels(model)).increment(by: Int64(rows))
    }

    /// Records the rows of one engine call.
    public func batch(_ rows: Int, model: ScoringModel) {
        registry.makeValueHistogram(descriptor: Self.batchSize, labels: Self.labels(model), buckets: Self.batchBuckets)
            .record(Double(rows))
    }

    static var shadowRows: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "shadow_rows", unitName: "total",
            helpText: "Rows of requests copied to a shadow version and compared with the answer the caller got.")
    }
    static var shadowAgreedRows: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "shadow_agreed_rows", unitName: "total",
            helpText: "Of those, rows where the shadow's first output equals the answer's.")
    }
    static var shadowErrors: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "kaizen", metricName: "shadow_errors", unitName: "total",
            helpText: "Request copies the shadow version failed to score.")
    }

    /// Records one request copy scored by a shadow version.
    public func shadow(_ model: ScoringModel, _ result: Result<(compared: Int, agreed: Int), ServingError>) {
        switch result {
        case .success(let counts):
            registry.makeCounter(descriptor: Self.shadowRows, labels: Self.labels(model))
                .increment(by: Int64(counts.compared))
            registry.makeCounter(descriptor: Self.shadowAgreedRows, labels: Self.labels(model))
                .increment(by: Int64(counts.agreed))
        case .failure:
            registry.makeCounter(descriptor: Self.shadowErrors, labels: Self.labels(model)).increment()
        }
    }

    /// The metrics in Prometheus' text format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
