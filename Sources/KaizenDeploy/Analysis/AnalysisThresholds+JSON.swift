public import KaizenCore

extension AnalysisThresholds {
    /// The limits a rollout may set, as the REST API takes and returns them (minimum sample sizes are the rollout's
    /// `step_requests` and are not set here):
    ///
    /// ```json
    /// {"alpha": 0.01, "max_error_rate_increase": 0.01, "max_error_rate": 0.05, "max_latency_ratio": 1.5,
    ///  "latency_floor_ms": 5, "divergence_metric": "js_distance", "max_js_distance": 0.1, "max_psi": 0.2,
    ///  "min_agreement": 0.9, "contract_latency_budget": 3, "contract_latency_floor_ms": 5}
    /// ```
    ///
    /// The performance gates appear only when set: `"max_accuracy_drop": 0.02, "max_estimated_accuracy_drop": 0.03,
    /// "min_labels": 100`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("alpha", .double(alpha)), ("max_error_rate_increase", .double(maximumErrorRateIncrease)),
            ("max_error_rate", .double(maximumErrorRate)), ("max_latency_ratio", .double(maximumLatencyRatio)),
            ("latency_floor_ms", .double(latencyFloor * 1000)),
            ("divergence_metric", .string(divergenceMetric.rawValue)),
            ("max_js_distance", .double(maximumJSDistance)), ("max_psi", .double(maximumPSI)),
            ("min_agreement", .double(minimumAgreement)),
            ("contract_latency_budget", .double(contractLatencyBudget)),
            ("contract_latency_floor_ms", .double(contractLatencyFloor * 1000)),
        ]
        if let maximumAccuracyDrop { fields.append(("max_accuracy_drop", .double(maximumAccuracyDrop))) }
        if let maximumEstimatedAccuracyDrop {
            fields.append(("max_estimated_accuracy_drop", .double(maximumEstimatedAccuracyDrop)))
        }
        if gatesOnPerformance { fields.append(("min_labels", JSONObjectReader.integer(minimumLabels))) }
        return .object(fields)
    }

    /// The names `json` writes, which are the only ones a request may set.
    public static let fieldNames = [
        "alpha", "max_error_rate_increase", "max_error_rate", "max_latency_ratio", "latency_floor_ms",
        "divergence_metric", "max_js_distance", "max_psi", "min_agreement", "contract_latency_budget",
        "contract_latency_floor_ms", "max_accuracy_drop", "max_estimated_accuracy_drop", "min_labels",
    ]

    /// Thresholds from a JSON object of `json`'s shape: a field left out keeps its value in `base`; an unknown field,
    /// a value of the wrong type or out of range is refused with `INVALID_PARAMETER_VALUE` naming the field.
    public init(json: JSONValue, base: AnalysisThresholds = AnalysisThresholds()) throws(KaizenError) {
        try self.init(reader: JSONObjectReader(json, document: "thresholds"), base: base)
    }

    init(reader: JSONObjectReader, base: AnalysisThresholds) throws(KaizenError) {
        self = base
        for (key, _) in reader.fields where !Self.fieldNames.contains(key) {
            throw reader.fail(key, "is not a threshold; the thresholds are \(Self.fieldNames.joined(separator: ", "))")
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws(KaizenError) -> Double? {
            guard let value = reader.value(key) else { return nil }
            guard let number = value.doubleValue, range.contains(number) else {
                throw reader.fail(key, "must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        let probability = 0.0...1.0
        alpha = try number("alpha", 1e-9...0.5) ?? alpha
        maximumErrorRateIncrease = try number("max_error_rate_increase", probability) ?? maximumErrorRateIncrease
        maximumErrorRate = try number("max_error_rate", probability) ?? maximumErrorRate
        maximumLatencyRatio = try number("max_latency_ratio", 1.0...1000) ?? maximumLatencyRatio
        latencyFloor = try number("latency_floor_ms", 0...3_600_000).map { $0 / 1000 } ?? latencyFloor
        if let name = try reader.string("divergence_metric") {
            guard let metric = DivergenceMetric(rawValue: name) else {
                throw reader.fail(
                    "divergence_metric",
                    "must be one of \(DivergenceMetric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            divergenceMetric = metric
        }
        maximumJSDistance = try number("max_js_distance", probability) ?? maximumJSDistance
        maximumPSI = try number("max_psi", 0...100) ?? maximumPSI
        minimumAgreement = try number("min_agreement", probability) ?? minimumAgreement
        contractLatencyBudget = try number("contract_latency_budget", 1.0...1000) ?? contractLatencyBudget
        contractLatencyFloor =
            try number("contract_latency_floor_ms", 0...3_600_000).map { $0 / 1000 } ?? contractLatencyFloor
        maximumAccuracyDrop = try number("max_accuracy_drop", probability) ?? maximumAccuracyDrop
        maximumEstimatedAccuracyDrop =
            try number("max_estimated_accuracy_drop", probability) ?? maximumEstimatedAccuracyDrop
        minimumLabels = try reader.count("min_labels") ?? minimumLabels
    }

    /// These thresholds with every minimum sample size set to `minimum` (a rollout's `step_requests`).
    func requiring(_ minimum: UInt64) -> AnalysisThresholds {
        var thresholds = self
        thresholds.minimumRequests = minimum
        thresholds.minimumPredictions = minimum
        thresholds.minimumShadowComparisons = minimum
        return thresholds
    }
}
