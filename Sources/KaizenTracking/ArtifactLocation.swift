public import KaizenCore

/// The rules for an experiment's `artifact_location`, which close the path-traversal routes that
/// MLflow's CVEs used (fragments, `;` params, `..` in queries, host-addressed schemes, `runs:/`).
public enum ArtifactLocation {
    static let hostAddressedSchemes: Set<String> = ["http", "https", "mlflow-artifacts"]

    /// Returns the location to store: as given, or a relative local path made absolute.
    public static func validate(_ location: String, workingDirectory: String) throws(KaizenError) -> String {
        guard !location.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw .invalidParameter("Invalid artifact location: NUL byte.")
        }
        let scheme = Self.scheme(of: location)
        if let scheme {
            let rest = location.dropFirst(scheme.count + 1)
            if rest.contains("#") || (rest.contains(";") && scheme != "file") {
                throw .invalidParameter("'artifact_location' URL can't include fragments or params.")
            }
            if let query = rest.split(separator: "?", maxSplits: 1).dropFirst().first, query.contains("..") {
                throw .invalidParameter("Invalid query string")
            }
            if scheme == "runs" {
                throw .invalidParameter("Artifact location cannot be a runs:/ URI. Given: '\(location)'")
            }
            let addressesHost = rest.hasPrefix("//") && !rest.hasPrefix("///")
            if hostAddressedSchemes.contains(scheme), scheme != "mlflow-artifacts" || addressesHost {
                throw .invalidParameter(
                    "'artifact_location' cannot use the '\(scheme)' scheme: the '\(scheme)' scheme addresses a host "
                        + "other than the tracking server's configured artifact storage."
                )
            }
            if scheme == "mlflow-artifacts" || scheme == "file" {
                let path = rest.drop { $0 == "/" }
                if path.split(separator: "/").contains("..") {
                    throw .invalidParameter(
                        "Invalid artifact location '\(location)': relative path references are not allowed.")
                }
            }
            return location
        }
        if location.hasPrefix("/") { return location }
        var base = workingDirectory
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/\(location)"
    }

    /// The URI scheme of a location (`file`, `s3`, `mlflow-artifacts`), or nil for a plain path.
    public static func scheme(of location: String) -> String? {
        URIParts.scheme(of: location)
    }
}
