#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

extension MonitorReport {
    /// The report as one self-contained HTML page (no script, no external file): a table of windows, then per window
    /// its performance and, against the reference, its columns' drift with their distributions drawn as inline SVG.
    public func html() -> String {
        var body = "<h1>Monitoring report: <code>\(HTMLText.escaped(endpoint))</code></h1>\n"
        body += "<p>\(Self.utc(options.from)) to \(Self.utc(options.to)) UTC, in windows of "
        body += "\(Self.duration(options.window)); \(segments) log segments read; the replicas dropped \(dropped) "
        body += "requests. Prediction column <code>\(HTMLText.escaped(prediction ?? "-"))</code> "
        body += "(\(task?.rawValue ?? "no task")). "
        body += hasReference ? "Compared with the stored reference." : "No reference is stored: drift is not compared."
        body += "</p>\n"
        guard !windows.isEmpty else {
            return HTMLText.page(
                title: "Kaizen monitoring: \(endpoint)", body: body + "<p>No traffic was logged in this range.</p>\n")
        }
        let segmented = options.segmentColumn != nil
        body += "<table><thead><tr><th>Window (UTC)</th><th>Version</th>"
        if let column = options.segmentColumn { body += "<th>\(HTMLText.escaped(column))</th>" }
        body += "<th>Rows</th><th>Requests</th><th>Refused</th><th>Labeled</th><th>Performance</th>"
        body += "<th>Drifted columns</th>"
        body += "<th>Data set drift</th></tr></thead><tbody>\n"
        for (index, window) in windows.enumerated() {
            body += "<tr><td><a href=\"#window-\(index)\">\(Self.utc(window.start))</a></td>"
            body += "<td>\(HTMLText.escaped(window.version ?? "-"))</td>"
            if segmented { body += "<td>\(HTMLText.escaped(window.segment ?? "-"))</td>" }
            body += "<td class=\"num\">\(window.rows)</td><td class=\"num\">\(window.requests)</td>"
            body += "<td class=\"num\">\(window.refused)</td>"
            body += "<td class=\"num\">\(window.labeled)</td><td>\(HTMLText.escaped(window.performanceSummary))</td>"
            if let drift = window.drift {
                body += "<td class=\"num\">\(drift.driftedCount) of \(drift.comparedCount)</td>"
                body += drift.datasetDrift ? "<td class=\"drift\">yes</td>" : "<td>no</td>"
            } else {
                body += "<td>-</td><td>-</td>"
            }
            body += "</tr>\n"
        }
        body += "</tbody></table>\n"
        for (index, window) in windows.enumerated() {
            body += "<section id=\"window-\(index)\"><h2>\(Self.utc(window.start)) to \(Self.utc(window.end))"
            body += ", version \(HTMLText.escaped(window.version ?? "-"))"
            if let column = options.segmentColumn {
                body += ", \(HTMLText.escaped(column)) = \(HTMLText.escaped(window.segment ?? "-"))"
            }
            body += "</h2>\n<p>\(window.rows) rows in \(window.requests) requests; \(window.labeled) rows with feedback"
            if window.mismatchedLabels > 0 { body += " (\(window.mismatchedLabels) labels of another type left out)" }
            body += ".</p>\n"
            if !window.refusals.isEmpty {
                body += "<table><thead><tr><th>Refused because</th><th>Requests</th></tr></thead><tbody>\n"
                for (reason, count) in window.refusals.sorted(by: { $0.value > $1.value }).prefix(20) {
                    body += "<tr><td>\(HTMLText.escaped(reason))</td><td class=\"num\">\(count)</td></tr>\n"
                }
                body += "</tbody></table>\n"
            }
            body += window.performanceTable
            if let drift = window.drift {
                body += drift.htmlSummary() + drift.htmlTable() + drift.htmlCharts()
            }
            body += "</section>\n"
        }
        return HTMLText.page(title: "Kaizen monitoring: \(endpoint)", body: body)
    }

    /// `2026-12-05 10:00:00` for epoch milliseconds.
    static func utc(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// `1h`, `15m`, `90s` for a window length in milliseconds.
    static func duration(_ millis: Int64) -> String {
        let seconds = millis / 1000
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}

extension MonitorReport.Window {
    /// The headline figures, as the summary table shows them.
    var performanceSummary: String {
        let estimate = estimated.map {
            "estimated accuracy \(HTMLText.format($0.accuracy)) (reference \(HTMLText.format($0.referenceAccuracy)))"
        }
        if let metrics = classification {
            var text = "accuracy \(HTMLText.format(metrics.accuracy)), F1 \(HTMLText.format(metrics.macroF1))"
            if let auc = metrics.rocAUC { text += ", ROC AUC \(HTMLText.format(auc))" }
            return text + (estimate.map { ", " + $0 } ?? "")
        }
        if let estimate { return estimate }
        if let metrics = regression {
            return "RMSE \(HTMLText.format(metrics.rootMeanSquaredError)), MAE "
                + "\(HTMLText.format(metrics.meanAbsoluteError)), R² \(HTMLText.format(metrics.r2))"
        }
        return "-"
    }

    /// Per-class figures of a classifier's window, or nothing.
    var performanceTable: String {
        guard let metrics = classification else { return "" }
        var table = "<table><thead><tr><th>Class</th><th>Precision</th><th>Recall</th><th>F1</th><th>Support</th>"
        table += "</tr></thead><tbody>\n"
        for entry in metrics.classes {
            table += "<tr><td>\(HTMLText.escaped(entry.label))</td>"
            table += "<td class=\"num\">\(HTMLText.format(entry.figures.precision))</td>"
            table += "<td class=\"num\">\(HTMLText.format(entry.figures.recall))</td>"
            table += "<td class=\"num\">\(HTMLText.format(entry.figures.f1))</td>"
            table += "<td class=\"num\">\(entry.figures.support)</td></tr>\n"
        }
        table += "<tr><td>macro</td><td class=\"num\">\(HTMLText.format(metrics.macroPrecision))</td>"
        table += "<td class=\"num\">\(HTMLText.format(metrics.macroRecall))</td>"
        table += "<td class=\"num\">\(HTMLText.format(metrics.macroF1))</td><td></td></tr>\n"
        return table + "</tbody></table>\n<p>Accuracy \(HTMLText.format(metrics.accuracy)).</p>\n"
    }
}
