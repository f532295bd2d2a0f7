import KaizenCore
import KaizenDeploy
import KaizenMonitoring

/// The rollout analysis's view of monitoring: each version's labelled and estimated accuracy over a range of the
/// endpoint's inference log, from the same report `kaizen monitor report` prints (the feedback joined to the logged
/// predictions, the estimate from the endpoint's performance reference).
struct MonitorPerformanceSource: VersionPerformanceSource {
    let monitor: MonitorService

    func performance(endpoint: String, from: Int64, to: Int64) async throws -> [Int64: VersionPerformance] {
        guard to > from else { return [:] }
        // One window as long as the range: it may straddle a multiple of its length, so at most two windows per
        // version, summed below.
        let report = try await monitor.report(
            endpoint: endpoint, options: MonitorReport.Options(from: from, to: to, window: to - from), reference: nil)
        guard report.task == .classification else { return [:] }
        var performance: [Int64: VersionPerformance] = [:]
        var estimatedCorrect: [Int64: Double] = [:]
        for window in report.windows {
            guard let version = window.version.flatMap({ Int64($0) }) else { continue }
            var figures = performance[version] ?? VersionPerformance()
            if let metrics = window.classification {
                figures.labeled += UInt64(metrics.rows)
                figures.correct += UInt64((metrics.accuracy * Double(metrics.rows)).rounded())
            }
            if let estimate = window.estimated {
                figures.estimatedRows += UInt64(window.rows)
                estimatedCorrect[version, default: 0] += estimate.accuracy * Double(window.rows)
            }
            performance[version] = figures
        }
        for (version, correct) in estimatedCorrect {
            guard let rows = performance[version]?.estimatedRows, rows > 0 else { continue }
            performance[version]?.estimatedAccuracy = correct / Double(rows)
        }
        return performance
    }
}
