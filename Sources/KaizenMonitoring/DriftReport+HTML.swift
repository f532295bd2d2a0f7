#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

extension DriftReport {
    /// The report as one self-contained HTML page: the verdict, a table of columns, and per column the reference
    /// and current distributions drawn as inline SVG (no script, no external file).
    public func html(reference: String, current: String) -> String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Kaizen drift report</title>
            <style>
            :root { color-scheme: light dark; --ref: #6b7c93; --cur: #e4572e; }
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; }
            table { border-collapse: collapse; margin: 1rem 0; }
            th, td { padding: .25rem .6rem; border-bottom: 1px solid #8884; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .drift { color: var(--cur); font-weight: 600; }
            .columns { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: 1rem; }
            figure { margin: 0; padding: .5rem; border: 1px solid #8884; border-radius: 6px; }
            figcaption { font-weight: 600; margin-bottom: .25rem; }
            .legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem 0 .75rem; }
            </style></head><body>
            <h1>Drift report</h1>

            """
        page += "<p>Reference <code>\(escaped(reference))</code> (\(referenceRows) rows), current "
        page += "<code>\(escaped(current))</code> (\(currentRows) rows).</p>\n"
        page += "<p class=\"\(datasetDrift ? "drift" : "")\">Data set drift: \(datasetDrift ? "yes" : "no"): "
        page += "\(driftedCount) of \(comparedCount) columns drifted (threshold share \(driftShare)).</p>\n"
        if !missingFromCurrent.isEmpty {
            page +=
                "<p>Columns missing from the current data: \(escaped(missingFromCurrent.joined(separator: ", ")))</p>\n"
        }
        if !notInReference.isEmpty {
            page += "<p>Columns not in the reference: \(escaped(notInReference.joined(separator: ", ")))</p>\n"
        }
        page += "<table><thead><tr><th>Column</th><th>Type</th><th>Method</th><th>Score</th><th>Threshold</th>"
        page += "<th>Drift</th><th>Missing</th><th>Out of range / new</th></tr></thead><tbody>\n"
        for column in columns {
            page += "<tr><td>\(escaped(column.name))</td><td>\(column.kind.rawValue)</td>"
            if let method = column.method, let score = column.score, let threshold = column.threshold {
                page += "<td>\(escaped(method.displayName))</td><td class=\"num\">\(format(score))</td>"
                page += "<td class=\"num\">\(format(threshold))</td>"
                page += column.drifted ? "<td class=\"drift\">drift</td>" : "<td>no</td>"
            } else {
                page += "<td colspan=\"4\">\(escaped(column.note ?? "not compared"))</td>"
            }
            let quality = column.quality
            page += "<td class=\"num\">\(quality.map { percent($0.missingShare) } ?? "")</td>"
            let unusual = quality?.outOfRangeShare ?? quality?.newCategoryShare
            page += "<td class=\"num\">\(unusual.map(percent) ?? "")</td></tr>\n"
        }
        page += "</tbody></table>\n<p class=\"legend\"><span style=\"background:var(--ref)\"></span>reference"
        page += "<span style=\"background:var(--cur)\"></span>current</p>\n<div class=\"columns\">\n"
        for column in columns {
            guard let histogram = column.histogram else { continue }
            page +=
                "<figure><figcaption>\(escaped(column.name))\(column.drifted ? " <span class=\"drift\">drift</span>" : "")"
            page += "</figcaption>\n\(svg(histogram))</figure>\n"
        }
        page += "</div></body></html>\n"
        return page
    }

    func svg(_ histogram: ColumnHistogram) -> String {
        let width = 320.0
        let height = 140.0
        let bottom = 118.0
        let bars = histogram.reference.count
        guard bars > 0 else { return "" }
        let top = max(histogram.reference.max() ?? 0, histogram.current.max() ?? 0, 1e-12)
        let slot = width / Double(bars)
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\">"
        for index in 0..<bars {
            let x = Double(index) * slot
            for (offset, (share, color)) in [
                (histogram.reference[index], "var(--ref)"), (histogram.current[index], "var(--cur)"),
            ].enumerated() {
                let barHeight = share / top * (bottom - 8)
                let barX = x + slot * (0.1 + 0.4 * Double(offset))
                svg += "<rect x=\"\(format(barX))\" y=\"\(format(bottom - barHeight))\" width=\"\(format(slot * 0.4))\""
                svg += " height=\"\(format(barHeight))\" fill=\"\(color)\"><title>\(percent(share))</title></rect>"
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
                svg += "\(escaped(String(label.prefix(8))))</text>"
            }
        }
        return svg + "</svg>\n"
    }

    func format(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        var buffer = [CChar](repeating: 0, count: 32)
        _ = withVaList([value]) { vsnprintf(&buffer, 32, "%.4g", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func percent(_ share: Double) -> String {
        format(share * 100) + "%"
    }

    func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
