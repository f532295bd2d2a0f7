extension DriftReport {
    /// The report as one self-contained HTML page: the verdict, a table of columns, and per column the reference
    /// and current distributions drawn as inline SVG (no script, no external file).
    public func html(reference: String, current: String) -> String {
        var body = "<h1>Drift report</h1>\n"
        body += "<p>Reference <code>\(HTMLText.escaped(reference))</code> (\(referenceRows) rows), current "
        body += "<code>\(HTMLText.escaped(current))</code> (\(currentRows) rows).</p>\n"
        return HTMLText.page(title: "Kaizen drift report", body: body + htmlSummary() + htmlTable() + htmlCharts())
    }

    /// The verdict, and the columns only one side has.
    func htmlSummary() -> String {
        var html = "<p class=\"\(datasetDrift ? "drift" : "")\">Data set drift: \(datasetDrift ? "yes" : "no"): "
        html += "\(driftedCount) of \(comparedCount) columns drifted (threshold share \(driftShare)).</p>\n"
        if !missingFromCurrent.isEmpty {
            html += "<p>Columns missing from the current data: "
            html += "\(HTMLText.escaped(missingFromCurrent.joined(separator: ", ")))</p>\n"
        }
        if !notInReference.isEmpty {
            html += "<p>Columns not in the reference: \(HTMLText.escaped(notInReference.joined(separator: ", ")))</p>\n"
        }
        return html
    }

    /// A row per column: method, score, threshold, decision and data quality.
    func htmlTable() -> String {
        var html = "<table><thead><tr><th>Column</th><th>Type</th><th>Method</th><th>Score</th><th>Threshold</th>"
        html += "<th>Drift</th><th>Missing</th><th>Out of range / new</th></tr></thead><tbody>\n"
        for column in columns {
            html += "<tr><td>\(HTMLText.escaped(column.name))</td><td>\(column.kind.rawValue)</td>"
            if let method = column.method, let score = column.score, let threshold = column.threshold {
                html +=
                    "<td>\(HTMLText.escaped(method.displayName))</td><td class=\"num\">\(HTMLText.format(score))</td>"
                html += "<td class=\"num\">\(HTMLText.format(threshold))</td>"
                html += column.drifted ? "<td class=\"drift\">drift</td>" : "<td>no</td>"
            } else {
                html += "<td colspan=\"4\">\(HTMLText.escaped(column.note ?? "not compared"))</td>"
            }
            let quality = column.quality
            html += "<td class=\"num\">\(quality.map { HTMLText.percent($0.missingShare) } ?? "")</td>"
            let unusual = quality?.outOfRangeShare ?? quality?.newCategoryShare
            html += "<td class=\"num\">\(unusual.map(HTMLText.percent) ?? "")</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// Each compared column's reference and current distributions, side by side.
    func htmlCharts() -> String {
        var html = "<p class=\"legend\"><span style=\"background:var(--ref)\"></span>reference"
        html += "<span style=\"background:var(--cur)\"></span>current</p>\n<div class=\"columns\">\n"
        for column in columns {
            guard let histogram = column.histogram else { continue }
            html += "<figure><figcaption>\(HTMLText.escaped(column.name))"
            html += column.drifted ? " <span class=\"drift\">drift</span>" : ""
            html += "</figcaption>\n\(svg(histogram))</figure>\n"
        }
        return html + "</div>\n"
    }

    func svg(_ histogram: ColumnHistogram) -> String {
        let width = 320.0
        let height = 140.0
        let bottom = 118.0
        let bars = histogram.reference.count
        guard bars > 0 else { return "" }
        let top = max(histogram.reference.max() ?? 0, histogram.current.max() ?? 0, 1e-12)
        let slot = width / Double(bars)
        let format = HTMLText.format
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\">"
        for index in 0..<bars {
            let x = Double(index) * slot
            for (offset, (share, color)) in [
                (histogram.reference[index], "var(--ref)"), (histogram.current[index], "var(--cur)"),
            ].enumerated() {
                let barHeight = share / top * (bottom - 8)
                let barX = x + slot * (0.1 + 0.4 * Double(offset))
                svg += "<rect x=\"\(format(barX))\" y=\"\(format(bottom - barHeight))\" width=\"\(format(slot * 0.4))\""
                svg +=
                    " height=\"\(format(barHeight))\" fill=\"\(color)\"><title>\(HTMLText.percent(share))</title></rect>"
            }
        }
        svg +=
            "<line x1=\"0\" y1=\"\(bottom)\" x2=\"\(width)\" y2=\"\(bottom)\" stroke=\"currentColor\" stroke-width=\".5\"/>"
        if let first = histogram.edges.first, let last = histogram.edges.last {
            svg += "<text x=\"0\" y=\"134\" font-size=\"10\" fill=\"currentColor\">\(format(first))</text>"
            svg += "<text x=\"\(width)\" y=\"134\" font-size=\"10\" text-anchor=\"end\" fill=\"currentColor\">"
            svg += "\(format(last))</text>"
        } else {
            for (index, label) in histogram.categories.enumerated() {
                let x = (Double(index) + 0.5) * slot
                svg +=
                    "<text x=\"\(format(x))\" y=\"134\" font-size=\"9\" text-anchor=\"middle\" fill=\"currentColor\">"
                svg += "\(HTMLText.escaped(String(label.prefix(8))))</text>"
            }
        }
        return svg + "</svg>\n"
    }
}
