public import KaizenCore

/// A drift report per segment of the current data (`kaizen monitor drift --segment-by COLUMN`): the rows of each
/// value of the segment column compared with the whole reference, the segment column itself left out of the
/// comparison (it is constant within a segment).
public struct SegmentedDriftReport: Sendable {
    public var column: String
    /// The segments in the order their values first appear in the current data.
    public var segments: [(segment: String, report: DriftReport)]

    /// Reads both files whole (the reference once, into its profile) and compares each segment of `current`.
    public init(
        reference: String, current: String, segmentBy column: String, options: DriftOptions = DriftOptions()
    ) throws(KaizenError) {
        let profile = DatasetProfile(try DriftFiles.table(at: reference)).without(column)
        let table = try DriftFiles.table(at: current)
        guard let values = table[column] else {
            throw KaizenError.invalidParameter("The current data \(current) has no column '\(column)' to segment by")
        }
        var segmentColumn = SegmentColumn(values)
        self.column = column
        segments = try segmentColumn.rowsBySegment().map { segment, rows in
            (
                segment,
                DriftReport(
                    reference: profile, current: table.selecting(rows: rows) { $0 != column },
                    options: options)
            )
        }
    }

    /// True when any segment's data set drifted.
    public var anyDrift: Bool { segments.contains { $0.report.datasetDrift } }

    /// `{"segment_by": COLUMN, "segments": [{"segment": VALUE, "report": {...}}, ...]}`.
    public var json: JSONValue {
        .object([
            ("segment_by", .string(column)),
            (
                "segments",
                .array(segments.map { .object([("segment", .string($0.segment)), ("report", $0.report.json)]) })
            ),
        ])
    }

    /// One self-contained page: per segment its verdict, table and charts.
    public func html(reference: String, current: String) -> String {
        var body = "<h1>Drift report by \(HTMLText.escaped(column))</h1>\n"
        body += "<p>Reference <code>\(HTMLText.escaped(reference))</code>, current "
        body += "<code>\(HTMLText.escaped(current))</code>: \(segments.count) segments.</p>\n"
        for (segment, report) in segments {
            body += "<h2>\(HTMLText.escaped(column)) = \(HTMLText.escaped(segment)) (\(report.currentRows) rows)</h2>\n"
            body += report.htmlSummary() + report.htmlTable() + report.htmlCharts()
        }
        return HTMLText.page(title: "Kaizen drift report by \(column)", body: body)
    }
}
