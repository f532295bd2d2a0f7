import Foundation
public import KaizenClient
import KaizenCore
import KaizenDeploy
public import Logging
public import ServiceLifecycle

/// Sends an endpoint replica's counts to the control plane every `interval`: one ``ReplicaReport`` at a time, with
/// this process's replica id and an increasing sequence number. A report that fails to send is sent again, the same
/// report with the same sequence, until the control plane keeps it (it ignores a report it already has), and counts
/// gathered meanwhile wait for the next one; nothing acknowledged is ever sent twice as new counts.
public struct ReportSender: Service {
    let endpoint: String
    let client: TrackingClient
    let stats: ReplicaStats
    let interval: Duration
    let logger: Logger
    /// Unique per process: the host name and a random suffix.
    public let replicaID: String

    public init(endpoint: String, client: TrackingClient, stats: ReplicaStats, interval: Duration, logger: Logger) {
        self.endpoint = endpoint
        self.client = client
        self.stats = stats
        self.interval = interval
        self.logger = logger
        replicaID = Self.newReplicaID()
    }

    public func run() async throws {
        var sequence: UInt64 = 0
        var windowStart = currentTimeMillis()
        var pending: ReplicaReport?
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            if pending == nil {
                let now = currentTimeMillis()
                sequence += 1
                pending = ReplicaReport(
                    replicaID: replicaID, endpoint: endpoint, sequence: sequence, windowStart: windowStart,
                    windowEnd: now, versions: stats.take())
                windowStart = now
            }
            guard let report = pending else { continue }
            do {
                _ = try await client.call("endpoints/report", namespace: "kaizen", post: report.json)
                pending = nil
            } catch {
                logger.warning(
                    "cannot send the replica report; it is sent again at the next tick",
                    metadata: ["endpoint": "\(endpoint)", "sequence": "\(report.sequence)", "error": "\(error)"])
            }
        }
    }
}

extension ReportSender {
    /// A replica's id, unique per process: the host name (letters, digits and `-` only, so it is safe in paths) and a
    /// random suffix.
    static func newReplicaID() -> String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return String(host.prefix(100)) + "-" + UUID().uuidString.prefix(8).lowercased()
    }
}
