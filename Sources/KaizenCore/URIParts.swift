/// A URI split as Python's `urlparse` splits it (what MLflow's checks see): scheme, authority (`netloc`) and path,
/// with the query and fragment cut off. Shared by the modules that check locations and sources (artifact roots,
/// model version sources, webhook URLs).
package struct URIParts: Sendable, Equatable {
    /// The scheme, lowercased; nil for a plain path.
    package var scheme: String?
    /// What follows `//` up to the path; empty when there is none.
    package var netloc: String
    /// The path, without query or fragment.
    package var path: String

    package init(_ text: String) {
        scheme = Self.scheme(of: text)
        var rest = Substring(text)
        if let scheme { rest = rest.dropFirst(scheme.count + 1) }
        netloc = ""
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end =
                afterSlashes.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterSlashes.endIndex
            netloc = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        path = String(rest[..<end])
    }

    /// The URI scheme of a location (`file`, `s3`, `mlflow-artifacts`), lowercased, or nil for a plain path (a
    /// single letter before the colon is a Windows drive, not a scheme).
    package static func scheme(of location: String) -> String? {
        guard let colon = location.firstIndex(of: ":") else { return nil }
        let scheme = location[..<colon]
        guard let first = scheme.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first),
            scheme.count > 1,
            scheme.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "+"
                    || $0 == "-" || $0 == "."
            })
        else { return nil }
        return scheme.lowercased()
    }
}
