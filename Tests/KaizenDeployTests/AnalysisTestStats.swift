@testable import KaizenDeploy

extension VersionStats {
    /// A window for tests: `requests` answered, `serverErrors` of them 5xx, every latency in one bucket, and the
    /// predictions split evenly between two labels unless given.
    static func window(
        requests: UInt64, serverErrors: UInt64 = 0, clientErrors: UInt64 = 0, latencyBucket: Int = 4,
        classes: [String: UInt64]? = nil,
        shadowCompared: UInt64 = 0, shadowAgreed: UInt64 = 0
    ) -> VersionStats {
        var latency = [UInt64](repeating: 0, count: latencyBounds.count + 1)
        latency[latencyBucket] = requests
        return VersionStats(
            requests: requests, clientErrors: clientErrors, serverErrors: serverErrors, latency: latency,
            predictions: PredictionSketch(classes: classes ?? ["a": requests / 2, "b": requests - requests / 2]),
            shadowCompared: shadowCompared, shadowAgreed: shadowAgreed
        )
    }
}

extension StepVerdict {
    /// The check with this name, nil when the verdict has none.
    func check(_ check: AnalysisCheck) -> CheckResult? {
        checks.first { $0.name == check.rawValue }
    }
}
