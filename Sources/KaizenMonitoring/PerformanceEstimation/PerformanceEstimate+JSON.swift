public import KaizenCore

extension PerformanceEstimate {
    /// The estimate as JSON: the problem, the calibration of each probability column, then one object per chunk
    /// with one object per metric. Values that are NaN (a realized metric without targets, say) are `null`.
    ///
    /// ```json
    /// {"problem_type": "classification_binary", "classes": ["0", "1"], "calibrated": true,
    ///  "calibration": [{"class": "1", "calibrated": true, "decided_by": "check", "ece_before": 0.023,
    ///                   "ece_after": 0.021}],
    ///  "reference_rows": 235, "analysis_rows": 234, "metrics": ["accuracy"],
    ///  "chunks": [{"key": "[0:49]", "chunk_index": 0, "start_index": 0, "end_index": 49, "rows": 50,
    ///              "metrics": {"accuracy": {"estimated": 0.93, "realized": 0.94, "sampling_error": 0.03,
    ///                                       "lower_bound": 0.84, "upper_bound": 1.0, "lower_threshold": 0.85,
    ///                                       "upper_threshold": 1.0, "alert": false}}}]}
    /// ```
    public var json: JSONValue {
        .object([
            ("problem_type", .string(problem.rawValue)),
            ("classes", .array(classes.map(JSONValue.string))),
            ("calibrated", .bool(isCalibrated)),
            ("calibration", .array(calibration.map(\.json))),
            ("reference_rows", .integer(Int64(referenceRowCount))),
            ("analysis_rows", .integer(Int64(analysisRowCount))),
            ("metrics", .array(metrics.map { .string($0.rawValue) })),
            ("chunks", .array(chunks.map(\.json))),
        ])
    }
}

extension PerformanceEstimator.ColumnCalibration {
    var json: JSONValue {
        let decidedBy = check.map { $0.shortcut?.rawValue ?? "check" } ?? "option"
        return .object([
            ("class", .string(label)),
            ("calibrated", .bool(isCalibrated)),
            ("decided_by", .string(decidedBy)),
            ("ece_before", check?.errorBefore.map(JSONValue.number) ?? .null),
            ("ece_after", check?.errorAfter.map(JSONValue.number) ?? .null),
        ])
    }
}

extension PerformanceEstimate.Chunk {
    var json: JSONValue {
        .object([
            ("key", .string(key)),
            ("chunk_index", .integer(Int64(index))),
            ("start_index", .integer(Int64(rows.lowerBound))),
            ("end_index", .integer(Int64(rows.upperBound - 1))),
            ("rows", .integer(Int64(rows.count))),
            ("metrics", .object(metrics.map { ($0.metric.rawValue, $0.json) })),
        ])
    }
}

extension PerformanceEstimate.MetricEstimate {
    var json: JSONValue {
        .object([
            ("estimated", .number(estimated)),
            ("realized", .number(realized)),
            ("sampling_error", .number(samplingError)),
            ("lower_bound", .number(lowerBound)),
            ("upper_bound", .number(upperBound)),
            ("lower_threshold", .number(lowerThreshold)),
            ("upper_threshold", .number(upperThreshold)),
            ("alert", .bool(alert)),
        ])
    }
}

extension JSONValue {
    /// A double, or `null` when it is NaN or infinite.
    fileprivate static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .double(value) : .null
    }
}
