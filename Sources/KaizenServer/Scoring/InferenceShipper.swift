import Foundation
public import KaizenClient
import KaizenCore
import KaizenMonitoring
public import KaizenServing
public import Logging
public import ServiceLifecycle
import Synchronization

/// Writes the inference log into gzip'd JSON-lines segments and ships each through the control plane
/// (`POST /api/2.0/kaizen/monitor/segments`), which keeps it in the artifact store: no shared filesystem.
///
/// A segment closes when it holds `segmentBytes` of lines or is `segmentSeconds` old, and is sent until the control
/// plane acknowledges it (a resend of the same segment is acknowledged once more and stored once). While segments
/// wait to be sent the shipper stops taking from the log, whose bounded queue then drops and counts requests: the
/// request path never waits for the shipper. On SIGTERM the open segment is closed and sent.
public struct InferenceShipper: Service {
    public struct Settings: Sendable {
        /// Uncompressed bytes of lines after which a segment closes.
        public var segmentBytes = 8 << 20
        /// Age after which a segment closes.
        public var segmentAge: Duration = .seconds(60)
        /// How often the log is drained.
        public var tick: Duration = .milliseconds(250)
        /// Closed segments kept while the control plane cannot be reached.
        public var maximumWaiting = 4

        public init() {}
    }

    /// What the shipper has done, for `/metrics`.
    public final class Progress: Sendable {
        struct Counts {
            var shippedSegments: Int64 = 0
            var shippedRecords: Int64 = 0
            var failedSends: Int64 = 0
            /// Rows taken from the log and not yet acknowledged by the control plane.
            var unshippedRecords: Int64 = 0
        }
        let counts = Mutex(Counts())

        public init() {}
    }

    /// A segment being written.
    struct OpenSegment {
        let compressor: GzipCompressor
        var compressed: [UInt8] = []
        var firstTime: Int64
        var lastTime: Int64
        var records: Int64 = 0
        var requests: Int64 = 0
        var dropped: Int64 = 0
        var textBytes = 0
        let opened = ContinuousClock.now
    }

    /// A closed segment waiting for the control plane.
    struct ClosedSegment {
        let description: InferenceSegment
        let compressed: [UInt8]
    }

    let name: String
    let client: TrackingClient
    let log: InferenceLog
    let settings: Settings
    let logger: Logger
    public let progress: Progress
    /// Unique per process: the host name and a random suffix.
    public let replicaID: String

    public init(
        name: String, client: TrackingClient, log: InferenceLog, settings: Settings = Settings(), logger: Logger,
        progress: Progress = Progress()
    ) {
        self.name = name
        self.client = client
        self.log = log
        self.settings = settings
        self.logger = logger
        self.progress = progress
        replicaID = ReportSender.newReplicaID()
    }

    public func run() async throws {
        var sequence: Int64 = 0
        var open: OpenSegment?
        var waiting: [ClosedSegment] = []
        var lines: [UInt8] = []
        var droppedCarry: Int64 = 0
        while true {
            let stopping = Task.isShuttingDownGracefully
            if !stopping {
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.tick) } } catch {}
            }
            if waiting.count < settings.maximumWaiting || stopping {
                let (entries, dropped) = log.take()
                droppedCarry += dropped
                for entry in entries {
                    if open == nil {
                        open = OpenSegment(
                            compressor: try GzipCompressor(level: 1), firstTime: entry.time, lastTime: entry.time)
                    }
                    lines.removeAll(keepingCapacity: true)
                    entry.appendLines(to: &lines)
                    open!.compressor.compress(lines, appendingTo: &open!.compressed)
                    open!.textBytes += lines.count
                    open!.records += Int64(entry.rows)
                    open!.requests += 1
                    open!.lastTime = max(open!.lastTime, entry.time)
                    progress.counts.withLock { $0.unshippedRecords += Int64(entry.rows) }
                    if open!.textBytes >= settings.segmentBytes {
                        sequence += 1
                        waiting.append(close(&open, sequence: sequence, dropped: &droppedCarry))
                    }
                }
            }
            if let segment = open, stopping || ContinuousClock.now - segment.opened >= settings.segmentAge {
                sequence += 1
                waiting.append(close(&open, sequence: sequence, dropped: &droppedCarry))
            }
            while let next = waiting.first {
                guard await send(next) else { break }
                waiting.removeFirst()
            }
            if stopping {
                if !waiting.isEmpty {
                    let lost = waiting.reduce(0) { $0 + $1.description.records }
                    logger.error(
                        "stopping with inference-log segments the control plane did not acknowledge",
                        metadata: ["segments": "\(waiting.count)", "records": "\(lost)"])
                }
                return
            }
        }
    }

    /// Ends the open segment's gzip stream and describes it.
    func close(_ open: inout OpenSegment?, sequence: Int64, dropped: inout Int64) -> ClosedSegment {
        var segment = open!
        open = nil
        segment.compressor.finish(appendingTo: &segment.compressed)
        defer { dropped = 0 }
        return ClosedSegment(
            description: InferenceSegment(
                endpoint: name, replicaID: replicaID, sequence: sequence, firstTime: segment.firstTime,
                lastTime: segment.lastTime, records: segment.records, requests: segment.requests, dropped: dropped),
            compressed: segment.compressed)
    }

    /// Sends a closed segment once; true when the control plane acknowledged it.
    func send(_ segment: ClosedSegment) async -> Bool {
        do {
            _ = try await client.upload(
                "monitor/segments", namespace: "kaizen", query: segment.description.query, body: segment.compressed,
                contentType: "application/gzip")
            progress.counts.withLock {
                $0.shippedSegments += 1
                $0.shippedRecords += segment.description.records
                $0.unshippedRecords -= segment.description.records
            }
            return true
        } catch {
            progress.counts.withLock { $0.failedSends += 1 }
            logger.warning(
                "cannot ship an inference-log segment; it is sent again at the next tick",
                metadata: ["endpoint": "\(name)", "sequence": "\(segment.description.sequence)", "error": "\(error)"])
            return false
        }
    }
}

extension InferenceSegment {
    /// The description as the control plane's query string carries it.
    var query: [(String, String)] {
        [
            ("endpoint", endpoint), ("replica_id", replicaID), ("sequence", String(sequence)),
            ("first_time", String(firstTime)), ("last_time", String(lastTime)), ("records", String(records)),
            ("requests", String(requests)), ("dropped", String(dropped)),
        ]
    }
}

/// The inference log's counters in Prometheus' text format.
func logMetrics(_ log: InferenceLog, _ progress: InferenceShipper.Progress) -> [UInt8] {
    let counts = log.counts
    let shipped = progress.counts.withLock { $0 }
    let waiting = log.waiting
    let text = """
        # HELP kaizen_inference_log_requests_total Scored requests offered to the inference log, by what became of them.
        # TYPE kaizen_inference_log_requests_total counter
        kaizen_inference_log_requests_total{outcome="queued"} \(counts.queued)
        kaizen_inference_log_requests_total{outcome="sampled_out"} \(counts.sampledOut)
        kaizen_inference_log_requests_total{outcome="rate_capped"} \(counts.capped)
        kaizen_inference_log_requests_total{outcome="dropped"} \(counts.dropped)
        # HELP kaizen_inference_log_shipped_segments_total Segments the control plane acknowledged.
        # TYPE kaizen_inference_log_shipped_segments_total counter
        kaizen_inference_log_shipped_segments_total \(shipped.shippedSegments)
        # HELP kaizen_inference_log_shipped_records_total Rows in acknowledged segments.
        # TYPE kaizen_inference_log_shipped_records_total counter
        kaizen_inference_log_shipped_records_total \(shipped.shippedRecords)
        # HELP kaizen_inference_log_failed_sends_total Attempts to send a segment that failed (each is retried).
        # TYPE kaizen_inference_log_failed_sends_total counter
        kaizen_inference_log_failed_sends_total \(shipped.failedSends)
        # HELP kaizen_inference_log_unshipped_rows Logged rows the control plane has not acknowledged: waiting in the \
        queue, or written to a segment.
        # TYPE kaizen_inference_log_unshipped_rows gauge
        kaizen_inference_log_unshipped_rows{stage="queued"} \(waiting.rows)
        kaizen_inference_log_unshipped_rows{stage="segment"} \(shipped.unshippedRecords)

        """
    return Array(text.utf8)
}
