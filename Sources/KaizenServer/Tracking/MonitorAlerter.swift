import Foundation
import KaizenCore
import KaizenDeploy
import KaizenMonitoring
import KaizenRegistry
import Logging
import ServiceLifecycle
import Synchronization

/// Evaluates the endpoints' monitoring rules every `interval`: an alert that fires is kept in the audit trail and
/// sent as the signed, retried webhook event `monitor.alert` (through the same delivery as the registry's events).
/// Keeps each endpoint's latest window per version for the server's `/metrics` gauges: a gauge keeps its last
/// figure while no traffic comes, instead of vanishing.
final class MonitorAlerter: Service {
    let monitor: MonitorService
    let endpoints: any EndpointStore
    let events: any RegistryEventSink
    let interval: Duration
    let grace: Duration
    let logger: Logger
    /// The latest window with traffic per endpoint and version.
    let latest = Mutex<[String: [String: MonitorReport.Window]]>([:])
    /// Alerts fired since the process started, by endpoint and rule.
    let fired = Mutex<[String: [String: Int]]>([:])
    /// With replicas on one database, only the lease's holder evaluates the rules (an alert is kept once anyway).
    let leadership: Leadership?

    init(
        monitor: MonitorService, endpoints: any EndpointStore, events: any RegistryEventSink, interval: Duration,
        grace: Duration, logger: Logger, leadership: Leadership? = nil
    ) {
        self.leadership = leadership
        self.monitor = monitor
        self.endpoints = endpoints
        self.events = events
        self.interval = interval
        self.grace = grace
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            if await leadership?.isLeader() ?? true {
                await evaluate(now: currentTimeMillis())
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) } } catch { break }
        }
    }

    /// One round: every endpoint's rules on its latest complete windows.
    func evaluate(now: Int64) async {
        do {
            let graceMillis = grace.components.seconds * 1000 + grace.components.attoseconds / 1_000_000_000_000_000
            let (alerts, reports) = try await monitor.evaluateRules(now: now, grace: graceMillis) { endpoint in
                try? await self.endpoints.endpoint(named: endpoint)?.modelName
            }
            latest.withLock { latest in
                for report in reports {
                    for window in report.windows {
                        let version = window.version ?? ""
                        if window.start >= latest[report.endpoint]?[version]?.start ?? .min {
                            latest[report.endpoint, default: [:]][version] = window
                        }
                    }
                }
            }
            for alert in alerts {
                fired.withLock { $0[alert.endpoint, default: [:]][alert.rule, default: 0] += 1 }
                logger.notice(
                    "monitoring rule fired",
                    metadata: [
                        "endpoint": "\(alert.endpoint)", "rule": "\(alert.rule)", "version": "\(alert.version ?? "-")",
                        "value": "\(alert.value)", "window_start": "\(alert.windowStart)",
                    ])
                events.publish(RegistryEvent(type: .monitorAlert, data: alert.json, timestamp: alert.firedAt))
            }
        } catch {
            logger.error("cannot evaluate the monitoring rules", metadata: ["error": "\(error)"])
        }
    }

    /// The latest figures as Prometheus gauges: per endpoint and version, of its latest window.
    func exposition() -> [UInt8] {
        var lines: [String] = []
        func gauge(_ name: String, _ help: String) {
            lines.append("# HELP kaizen_monitor_\(name) \(help)")
            lines.append("# TYPE kaizen_monitor_\(name) gauge")
        }
        func label(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        var windows: [(String, MonitorReport.Window)] = []
        for (endpoint, versions) in latest.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            windows += versions.sorted { $0.key < $1.key }.map { (endpoint, $0.value) }
        }
        func series(_ endpoint: String, _ window: MonitorReport.Window, _ extra: String = "") -> String {
            "{endpoint=\"\(label(endpoint))\",version=\"\(label(window.version ?? ""))\"\(extra)}"
        }
        gauge("window_rows", "Rows logged in the latest evaluated window with traffic, per endpoint and version.")
        for (endpoint, window) in windows {
            lines.append("kaizen_monitor_window_rows\(series(endpoint, window)) \(window.rows)")
        }
        gauge("dataset_drift", "1 when the latest window drifted from the reference as a data set.")
        gauge("drift_share", "Share of compared columns that drifted in the latest window.")
        gauge("drift_score", "A column's drift score in the latest window (p-value or distance, as its method gives).")
        gauge("missing_share", "A column's share of missing values in the latest window.")
        gauge("performance", "Live performance in the latest window, from feedback joined to predictions.")
        for (endpoint, window) in windows {
            if let drift = window.drift {
                lines.append("kaizen_monitor_dataset_drift\(series(endpoint, window)) \(drift.datasetDrift ? 1 : 0)")
                lines.append("kaizen_monitor_drift_share\(series(endpoint, window)) \(drift.driftedShare)")
                for column in drift.columns {
                    guard let score = column.score else { continue }
                    lines.append(
                        "kaizen_monitor_drift_score\(series(endpoint, window, ",column=\"\(label(column.name))\"")) \(score)"
                    )
                }
            }
            for (column, share) in window.missingShare {
                lines.append(
                    "kaizen_monitor_missing_share\(series(endpoint, window, ",column=\"\(label(column))\"")) \(share)")
            }
            var figures: [(String, Double?)] = []
            if let metrics = window.classification {
                figures = [
                    ("accuracy", metrics.accuracy), ("precision_macro", metrics.macroPrecision),
                    ("recall_macro", metrics.macroRecall), ("f1_macro", metrics.macroF1), ("roc_auc", metrics.rocAUC),
                ]
            } else if let metrics = window.regression {
                figures = [
                    ("mae", metrics.meanAbsoluteError), ("rmse", metrics.rootMeanSquaredError), ("r2", metrics.r2),
                ]
            }
            for case (let name, let value?) in figures {
                lines.append("kaizen_monitor_performance\(series(endpoint, window, ",metric=\"\(name)\"")) \(value)")
            }
        }
        lines.append("# HELP kaizen_monitor_alerts_total Monitoring alerts fired since the server started.")
        lines.append("# TYPE kaizen_monitor_alerts_total counter")
        for (endpoint, rules) in fired.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            for (rule, count) in rules.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    "kaizen_monitor_alerts_total{endpoint=\"\(label(endpoint))\",rule=\"\(label(rule))\"} \(count)")
            }
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
