import KaizenCore

extension MonitorService {
    /// The most bytes of JSON lines one report reads: a narrower range, or a longer window, reads less.
    public static let maximumReportText = 1 << 30
    /// The most windows one report has.
    public static let maximumWindows = 10_000

    /// The report over `options`' range: the log's rows cut into windows by their time and split by version, each
    /// compared with `reference` (when given) and joined with the feedback sent for its requests.
    public func report(
        endpoint: String, options: MonitorReport.Options, reference: DatasetProfile?
    ) async throws -> MonitorReport {
        try ResourceName.validate(endpoint, field: "endpoint")
        guard options.window > 0, options.to > options.from else {
            throw KaizenError.invalidParameter(
                "A report needs a window above 0 and a range whose end is after its start")
        }
        // Windows start at whole multiples of their length since the epoch (whole hours for 1h), so reports over
        // different ranges and the alert rules cut traffic alike; the first and last are clipped to the range.
        let origin = options.from - ((options.from % options.window) + options.window) % options.window
        guard (options.to - origin) / options.window < Int64(Self.maximumWindows) else {
            throw KaizenError.invalidParameter(
                "The range holds more than \(Self.maximumWindows) windows; take a longer window or a shorter range")
        }
        let (table, segments) = try await logTable(endpoint: endpoint, from: options.from, to: options.to)
        var report = MonitorReport(
            endpoint: endpoint, options: options, windows: [], segments: segments.count,
            dropped: segments.reduce(0) { $0 + $1.dropped }, hasReference: reference != nil)
        guard let table else { return report }
        guard let times = table["kaizen.time"], let ids = table["kaizen.request_id"], table["kaizen.row"] != nil
        else {
            throw KaizenError(.internalError, "The inference log of \(endpoint) has rows without their kaizen.* fields")
        }
        let versions = table["kaizen.version"]
        var segmentColumn: SegmentColumn? = nil
        if let name = options.segmentColumn {
            guard let column = table[name] else {
                throw KaizenError.invalidParameter("The inference log of \(endpoint) has no column '\(name)'")
            }
            segmentColumn = SegmentColumn(column)
        }
        // The segment column is constant within a segment: comparing it with the reference would say nothing.
        let reference = reference.map { $0.without(options.segmentColumn) }
        // Rows by window, version and segment, in time order of the windows; refused requests counted apart.
        var groups: [GroupKey: [Int]] = [:]
        var refusals: [GroupKey: [String: Int]] = [:]
        var refusalsByGroup: [GroupKey: [String: Int]] = [:]
        let refusedColumn = table["kaizen.refused"]
        for row in 0..<table.rowCount {
            guard let time = times.number(at: row), time >= Double(options.from), time < Double(options.to) else {
                continue
            }
            let window = (Int64(time) - origin) / options.window
            if let reason = refusedColumn?.text(at: row) {
                refusals[GroupKey(window: window, version: versions?.text(at: row)), default: [:]][
                    reason, default: 0] +=
                    1
                continue
            }
            let segment = try segmentColumn?.segment(at: row)
            let key = GroupKey(window: window, version: versions?.text(at: row), segment: segment)
            groups[key, default: []].append(row)
        }
        // Refusals have no inputs, so no segment: they go to the version's window, or to its first segment.
        for (key, reasons) in refusals {
            let target =
                groups.keys.filter { $0.window == key.window && $0.version == key.version }.min()
                ?? GroupKey(
                    window: key.window, version: key.version, segment: segmentColumn.map { _ in SegmentColumn.missing })
            if groups[target] == nil { groups[target] = [] }
            refusalsByGroup[target, default: [:]].merge(reasons, uniquingKeysWith: +)
        }
        let labels = try await feedbackLabels(endpoint: endpoint, table: table, rows: groups.values.flatMap { $0 })
        let prediction =
            options.prediction
            ?? Self.labelColumns.first { table[$0] != nil }
            ?? table.columns.first { $0.name.hasPrefix("output.") }?.name
        let predicted = prediction.flatMap { table[$0] }
        if let prediction, options.prediction != nil, predicted == nil {
            throw KaizenError.invalidParameter("The inference log of \(endpoint) has no column '\(prediction)'")
        }
        let task = options.task ?? predicted.map(Self.task)
        report.prediction = prediction
        report.task = task
        var estimating: (reference: ClassifierOutputs, accuracy: Double, columns: ClassifierOutputs.Columns)? = nil
        if task == .classification, let prediction, let columns = Self.classifierColumns(table, prediction: prediction),
            let reference = try await performanceReference(endpoint: endpoint)
        {
            estimating = (reference, Self.accuracy(of: reference), columns)
        }
        for key in groups.keys.sorted() {
            let rows = groups[key]!
            let start = origin + key.window * options.window
            var window = MonitorReport.Window(
                start: max(start, options.from), end: min(start + options.window, options.to), version: key.version,
                segment: key.segment, rows: rows.count,
                requests: Set(rows.compactMap { ids.text(at: $0) }).count, refusals: refusalsByGroup[key] ?? [:],
                labeled: 0, mismatchedLabels: 0, missingShare: [])
            guard !rows.isEmpty else {
                // Only refusals: nothing was scored to compare.
                report.windows.append(window)
                continue
            }
            let inputs = table.selecting(rows: rows) { !$0.hasPrefix("kaizen.") && $0 != options.segmentColumn }
            window.missingShare = inputs.columns.filter { !$0.name.hasPrefix("output.") }.map { column in
                (column.name, Double(column.missingCount) / Double(max(1, inputs.rowCount)))
            }
            if let predicted, let task {
                var joined = JoinedLabels()
                for row in rows {
                    guard let label = labels[row] else { continue }
                    joined.add(label, predicted: predicted, row: row, task: task)
                }
                window.labeled = joined.count
                window.mismatchedLabels = joined.mismatched
                if joined.count > 0 {
                    switch task {
                    case .classification:
                        window.classification = ClassificationMetrics(
                            truth: joined.truth, predicted: joined.predictions,
                            positiveScores: Self.positiveScores(table, prediction: prediction, joined: joined))
                    case .regression:
                        window.regression = RegressionMetrics(truth: joined.values, predicted: joined.predictedValues)
                    }
                }
            }
            if let estimating {
                window.estimated = try? Self.estimate(
                    reference: estimating.reference, referenceAccuracy: estimating.accuracy, table: table, rows: rows,
                    columns: estimating.columns)
            }
            if let reference {
                window.drift = DriftReport(reference: reference, current: inputs, options: options.drift)
            }
            report.windows.append(window)
        }
        return report
    }

    /// The feedback labels sent for the log's `rows`, by row.
    func feedbackLabels(endpoint: String, table: DataTable, rows: [Int]) async throws -> [Int: FeedbackLabel] {
        guard let ids = table["kaizen.request_id"], let rowNumbers = table["kaizen.row"] else { return [:] }
        let requestIDs = Set(rows.compactMap { ids.text(at: $0) })
        var sent: [String: [Int: FeedbackLabel]] = [:]
        for item in try await store.feedback(endpoint: endpoint, requestIDs: Array(requestIDs)) {
            sent[item.requestID, default: [:]][item.row] = item.label
        }
        var labels: [Int: FeedbackLabel] = [:]
        for row in rows {
            guard let id = ids.text(at: row), let index = rowNumbers.number(at: row),
                let label = sent[id]?[Int(index)]
            else { continue }
            labels[row] = label
        }
        return labels
    }

    /// The rows logged for `endpoint` in segments that overlap `[from, to)` (rows outside the range included), as one
    /// table; nil when there are none.
    func logTable(
        endpoint: String, from: Int64, to: Int64
    ) async throws -> (table: DataTable?, segments: [InferenceSegment]) {
        let segments = try await store.segments(endpoint: endpoint, from: from, to: to)
        var text: [UInt8] = []
        for segment in segments {
            text += try await lines(of: segment)
            guard text.count <= Self.maximumReportText else {
                throw KaizenError.invalidParameter(
                    "The range holds more than \(Self.maximumReportText >> 20) MB of logged rows; take a shorter range")
            }
        }
        guard !text.isEmpty else { return (nil, segments) }
        let table = try text.withUnsafeBufferPointer { (bytes) throws(KaizenError) in
            try JSONLinesTableReader.read(bytes, source: "The inference log of \(endpoint)")
        }
        return (table, segments)
    }

    struct GroupKey: Hashable, Comparable {
        var window: Int64
        var version: String?
        var segment: String?

        static func < (a: Self, b: Self) -> Bool {
            (a.window, a.version ?? "", a.segment ?? "") < (b.window, b.version ?? "", b.segment ?? "")
        }
    }

    /// Classification when the predictions are text or whole numbers.
    static func task(_ column: DataColumn) -> MonitorReport.Task {
        switch column.values {
        case .labels: return .classification
        case .numbers(let values, _, let boolean):
            if boolean { return .classification }
            return values.allSatisfy { $0.isNaN || $0 == $0.rounded() } ? .classification : .regression
        }
    }

    /// P(positive class) per joined row, when there are two classes and the log has the positive class's probability
    /// column (`output.probabilities_<class>` or `output.output_probability_<class>`).
    static func positiveScores(_ table: DataTable, prediction: String?, joined: JoinedLabels) -> [Double]? {
        let classes = Set(joined.truth).union(joined.predictions).sorted()
        guard classes.count == 2 else { return nil }
        let positive = classes[1].text
        for prefix in probabilityPrefixes {
            guard let column = table[prefix + positive] else { continue }
            let scores = joined.rows.map { column.number(at: $0) ?? .nan }
            return scores.contains(where: \.isNaN) ? nil : scores
        }
        return nil
    }
}

/// Feedback labels joined to predictions, kept where their types agree.
struct JoinedLabels {
    var rows: [Int] = []
    var truth: [PredictionLabel] = []
    var predictions: [PredictionLabel] = []
    var values: [Double] = []
    var predictedValues: [Double] = []
    var mismatched = 0

    var count: Int { rows.count }

    mutating func add(_ label: FeedbackLabel, predicted column: DataColumn, row: Int, task: MonitorReport.Task) {
        switch task {
        case .regression:
            guard case .number(let value) = label, let guess = column.number(at: row) else {
                mismatched += 1
                return
            }
            values.append(value)
            predictedValues.append(guess)
        case .classification:
            let guess: PredictionLabel
            switch column.values {
            case .labels:
                guard let text = column.text(at: row) else { return }
                guess = .text(text)
            case .numbers:
                guard let number = column.number(at: row) else { return }
                guess = .number(number)
            }
            let actual: PredictionLabel
            switch (label, guess) {
            case (.number(let value), .number): actual = .number(value)
            case (.text(let text), .text): actual = .text(text)
            case (.bool(let flag), .number): actual = .number(flag ? 1 : 0)
            case (.bool(let flag), .text): actual = .text(flag ? "True" : "False")
            default:
                mismatched += 1
                return
            }
            truth.append(actual)
            predictions.append(guess)
        }
        rows.append(row)
    }
}
