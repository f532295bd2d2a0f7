public import KaizenCore

/// An endpoint's inference log over a time range, cut into windows and split by the version that answered: traffic,
/// drift and data quality against the reference, and live performance where feedback arrived.
public struct MonitorReport: Sendable {
    /// What the report covers and how it reads the log.
    public struct Options: Sendable {
        /// The range, epoch milliseconds, `[from, to)`.
        public var from: Int64
        public var to: Int64
        /// Window length in milliseconds.
        public var window: Int64
        /// The output column compared with feedback (default: `output.label`, `output.output_label`, else the first
        /// output column).
        public var prediction: String?
        /// `classification` or `regression` (default: classification when the prediction is text or whole numbers).
        public var task: Task?
        public var drift: DriftOptions
        /// A logged column (an input, or an output such as `output.label`) whose values split each window further.
        public var segmentColumn: String?

        public init(
            from: Int64, to: Int64, window: Int64, prediction: String? = nil, task: Task? = nil,
            drift: DriftOptions = DriftOptions(), segmentColumn: String? = nil
        ) {
            self.from = from
            self.to = to
            self.window = window
            self.prediction = prediction
            self.task = task
            self.drift = drift
            self.segmentColumn = segmentColumn
        }
    }

    public enum Task: String, Sendable, CaseIterable {
        case classification
        case regression
    }

    /// A window's accuracy estimated from its classifier outputs alone (CBPE), beside the accuracy the performance
    /// reference measured.
    public struct Estimate: Sendable {
        public var accuracy: Double
        /// The estimate less and plus three sampling errors, clipped to [0, 1].
        public var lowerBound: Double
        public var upperBound: Double
        public var referenceAccuracy: Double
        public var referenceRows: Int

        /// How far the estimate fell below the reference's accuracy.
        public var drop: Double { referenceAccuracy - accuracy }
    }

    /// One window of one version.
    public struct Window: Sendable {
        public var start: Int64
        public var end: Int64
        public var version: String?
        /// The segment column's value in these rows (`(missing)` for rows without one), when the report is split.
        public var segment: String?
        /// Scored rows, and the requests they came in.
        public var rows: Int
        public var requests: Int
        /// Requests refused before scoring, by reason (the error message the caller got).
        public var refusals: [String: Int] = [:]
        /// Rows with feedback whose label could be compared with the prediction.
        public var labeled: Int
        /// Rows with feedback whose label is of another type than the prediction (text for a number, or the reverse).
        public var mismatchedLabels: Int
        public var classification: ClassificationMetrics?
        public var regression: RegressionMetrics?
        /// Accuracy estimated without labels, when the endpoint has a performance reference.
        public var estimated: Estimate?
        /// Drift and data quality of the window's inputs and outputs against the reference; nil without one.
        public var drift: DriftReport?
        /// Share of missing values per input column.
        public var missingShare: [(column: String, share: Double)]

        public var refused: Int { refusals.values.reduce(0, +) }
        /// Refused requests among all the window's requests.
        public var refusedShare: Double { Double(refused) / Double(max(1, requests + refused)) }
    }

    public var endpoint: String
    public var options: Options
    public var windows: [Window]
    /// Segments read, and the requests their replicas dropped.
    public var segments: Int
    public var dropped: Int64
    /// The prediction column compared with feedback, and the task it was read as.
    public var prediction: String?
    public var task: Task?
    /// Whether a reference profile was compared.
    public var hasReference: Bool
}

extension MonitorReport {
    public var json: JSONValue {
        .object([
            ("endpoint", .string(endpoint)), ("from", .integer(options.from)), ("to", .integer(options.to)),
            ("window_ms", .integer(options.window)), ("segments", .integer(Int64(segments))),
            ("dropped_requests", .integer(dropped)), ("prediction", prediction.map(JSONValue.string) ?? .null),
            ("task", task.map { .string($0.rawValue) } ?? .null), ("reference", .bool(hasReference)),
            ("segment_by", options.segmentColumn.map(JSONValue.string) ?? .null),
            ("windows", .array(windows.map(\.json))),
        ])
    }
}

extension MonitorReport.Window {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("start", .integer(start)), ("end", .integer(end)), ("version", version.map(JSONValue.string) ?? .null),
            ("segment", segment.map(JSONValue.string) ?? .null),
            ("rows", .integer(Int64(rows))), ("requests", .integer(Int64(requests))),
            ("labeled_rows", .integer(Int64(labeled))), ("mismatched_labels", .integer(Int64(mismatchedLabels))),
            ("missing_share", .object(missingShare.map { ($0.column, .double($0.share)) })),
            ("refused_requests", .integer(Int64(refused))),
            (
                "refusals",
                .object(
                    refusals.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                        .prefix(20).map { ($0.key, .integer(Int64($0.value))) })
            ),
        ]
        if let metrics = classification {
            var performance: [(String, JSONValue)] = [
                ("accuracy", .double(metrics.accuracy)), ("precision_macro", .double(metrics.macroPrecision)),
                ("recall_macro", .double(metrics.macroRecall)), ("f1_macro", .double(metrics.macroF1)),
                (
                    "per_class",
                    .object(
                        metrics.classes.map { entry in
                            (
                                entry.label,
                                .object([
                                    ("precision", .double(entry.figures.precision)),
                                    ("recall", .double(entry.figures.recall)), ("f1", .double(entry.figures.f1)),
                                    ("support", .integer(Int64(entry.figures.support))),
                                ])
                            )
                        })
                ),
            ]
            if let auc = metrics.rocAUC { performance.append(("roc_auc", .double(auc))) }
            fields.append(("performance", .object(performance)))
        }
        if let metrics = regression {
            fields.append(
                (
                    "performance",
                    .object([
                        ("mae", .double(metrics.meanAbsoluteError)), ("rmse", .double(metrics.rootMeanSquaredError)),
                        ("r2", .double(metrics.r2)),
                    ])
                ))
        }
        if let estimated {
            fields.append(
                (
                    "estimated_performance",
                    .object([
                        ("accuracy", .double(estimated.accuracy)), ("lower_bound", .double(estimated.lowerBound)),
                        ("upper_bound", .double(estimated.upperBound)),
                        ("reference_accuracy", .double(estimated.referenceAccuracy)),
                        ("accuracy_drop", .double(estimated.drop)),
                        ("reference_rows", .integer(Int64(estimated.referenceRows))),
                    ])
                ))
        }
        if let drift { fields.append(("drift", drift.json)) }
        return .object(fields)
    }
}
