import KaizenCore

extension MonitorService {
    /// Evaluates every endpoint's rules on its latest complete windows: those that ended at least `grace` ago (the
    /// replicas' segments have arrived by then), the last `lookback` of them, so a late segment is still counted. A
    /// rule that holds for a window of a version fires once: the alert is recorded with its audit record and returned
    /// only the first time. Also returns each endpoint's latest report, for the server's gauges.
    ///
    /// A window with no logged traffic has no figures, and no rule fires for it.
    public func evaluateRules(
        now: Int64, grace: Int64, lookback: Int64 = 2, modelName: (String) async -> String?
    ) async throws -> (alerts: [MonitorAlert], reports: [MonitorReport]) {
        var fired: [MonitorAlert] = []
        var reports: [MonitorReport] = []
        for rules in try await store.allRules() where !rules.rules.isEmpty {
            let window = rules.window
            let end = (now - grace) / window * window
            let options = MonitorReport.Options(from: end - lookback * window, to: end, window: window)
            let report = try await report(
                endpoint: rules.endpoint, options: options, reference: try await reference(endpoint: rules.endpoint))
            reports.append(report)
            var model: String?
            for window in report.windows {
                for rule in rules.rules {
                    guard let value = rule.firing(in: window) else { continue }
                    let alert = MonitorAlert(
                        endpoint: rules.endpoint, rule: rule.name, condition: rule.condition, windowStart: window.start,
                        windowEnd: window.end, version: window.version, value: value, firedAt: now)
                    if model == nil {
                        if let named = rules.modelName {
                            model = named
                        } else {
                            model = await modelName(rules.endpoint) ?? rules.endpoint
                        }
                    }
                    if try await store.recordAlert(alert, modelName: model ?? rules.endpoint) { fired.append(alert) }
                }
            }
        }
        return (fired, reports)
    }

    /// Replaces an endpoint's alert rules (an empty list removes them).
    public func setRules(_ rules: MonitorRules) async throws {
        try ResourceName.validate(rules.endpoint, field: "endpoint")
        try await store.setRules(rules)
    }

    /// The endpoint's rules, nil when it has none.
    public func rules(endpoint: String) async throws -> MonitorRules? {
        try ResourceName.validate(endpoint, field: "endpoint")
        return try await store.allRules().first { $0.endpoint == endpoint }
    }

    /// The endpoint's latest alerts, newest first.
    public func alerts(endpoint: String, limit: Int = 100) async throws -> [MonitorAlert] {
        try ResourceName.validate(endpoint, field: "endpoint")
        return try await store.alerts(endpoint: endpoint, limit: max(1, min(limit, 10_000)))
    }
}
