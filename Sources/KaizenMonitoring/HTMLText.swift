#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The pieces the monitoring reports' HTML pages share: one page frame with its style sheet, escaping, and number
/// formatting.
enum HTMLText {
    /// A self-contained page around `body`, light or dark as the reader's system is.
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escaped(title))</title>
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
        section { margin-top: 2rem; border-top: 2px solid #8886; }
        .legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem 0 .75rem; }
        </style></head><body>

        """ + body + "</body></html>\n"
    }

    /// Four significant digits, as `%.4g` prints them.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        var buffer = [CChar](repeating: 0, count: 32)
        _ = withVaList([value]) { vsnprintf(&buffer, 32, "%.4g", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func percent(_ share: Double) -> String {
        format(share * 100) + "%"
    }

    static func escaped(_ text: String) -> String {
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
