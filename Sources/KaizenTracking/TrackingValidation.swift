public import KaizenCore

/// MLflow's validation rules and limits for tracking data, with MLflow's messages.
public enum TrackingValidation {
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsPerBatch = 100
    public static let maxTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxRunTagValueLength = 8000
    public static let maxExperimentTagValueLength = 20000
    public static let maxExperimentNameLength = 500
    public static let maxDatasetNameLength = 500
    public static let maxDatasetDigestLength = 36
    public static let maxDatasetSourceLength = 65535
    public static let maxDatasetSchemaLength = 1_048_575
    public static let maxDatasetProfileLength = 16_777_215
    public static let maxInputTagKeyLength = 255
    public static let maxInputTagValueLength = 500
    public static let maxMetricHistoryResults = 25_000

    /// Checks a metric, param or tag key: the characters MLflow allows, and no path tricks such as `../x`.
    /// `field` is the request field that errors name (`name` for tracking, `key` for registry tags).
    public static func validateKey(_ key: String, kind: String, field: String = "name") throws(KaizenError) {
        guard !key.isEmpty else { throw .missingParameter("key") }
        guard key.utf8.count <= maxKeyLength else {
            throw .invalidParameter(
                "\(kind) '\(key.prefix(50))...' had length \(key.count), which exceeded length limit of \(maxKeyLength)"
            )
        }
        for scalar in key.unicodeScalars {
            // ASCII letters and digits first: the Unicode properties are looked up only for other characters.
            if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { continue }
            let allowed =
                scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" || scalar == "/"
                || scalar == "." || scalar == "-" || scalar == " " || scalar == ":"
            guard allowed else {
                throw .invalidName(
                    key, field: field,
                    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
                )
            }
        }
        // Without a slash a key normalizes to itself (`.` and `..` included, refused below).
        let normalized = key.utf8.contains(UInt8(ascii: "/")) ? normalizePOSIXPath(key) : key
        if normalized != key || normalized == "." || normalized.hasPrefix("..") || normalized.hasPrefix("/") {
            throw .invalidName(
                key, field: field,
                "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '\(normalized)'"
            )
        }
    }

    /// Python's `posixpath.normpath`: collapses slashes and `.` segments, resolves `..` where it can.
    public static func normalizePOSIXPath(_ path: String) -> String {
        guard !path.isEmpty else { return "." }
        var leadingSlashes = path.hasPrefix("/") ? 1 : 0
        if path.hasPrefix("//"), !path.hasPrefix("///") { leadingSlashes = 2 }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if leadingSlashes == 0, parts.isEmpty || parts.last == ".." {
                    parts.append(part)
                } else if !parts.isEmpty {
                    parts.removeLast()
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        let result = String(repeating: "/", count: leadingSlashes) + joined
        return result.isEmpty ? "." : result
    }

    /// Checks the sizes of a log-batch request before anything is written.
    public static func validateBatch(metrics: Int, params: Int, tags: Int) throws(KaizenError) {
        func tooMany(_ count: Int, _ limit: Int, _ what: String) -> KaizenError {
            .invalidParameter(
                "A batch logging request can contain at most \(limit) \(what). Got \(count) \(what). "
                    + "Please split up \(what) across multiple requests and try again."
            )
        }
        if metrics > maxMetricsPerBatch { throw tooMany(metrics, maxMetricsPerBatch, "metrics") }
        if params > maxParamsPerBatch { throw tooMany(params, maxParamsPerBatch, "params") }
        if tags > maxTagsPerBatch { throw tooMany(tags, maxTagsPerBatch, "tags") }
        let total = metrics + params + tags
        if total > maxEntitiesPerBatch {
            throw .invalidParameter(
                "A batch logging request can contain at most \(maxEntitiesPerBatch) metrics, params, and tags in total. "
                    + "Got \(total) total. Please split up metrics, params, and tags across multiple requests and try again."
            )
        }
    }

    /// Checks an experiment name: present and at most 500 characters.
    public static func validateExperimentName(_ name: String) throws(KaizenError) {
        guard !name.isEmpty else { throw .missingParameter("name") }
        guard name.count <= maxExperimentNameLength else {
            throw .invalidParameter(
                "Experiment name exceeds the maximum length of \(maxExperimentNameLength) characters"
            )
        }
    }

    /// Checks a string against a length limit, naming the field in the error.
    public static func validateLength(_ value: String, limit: Int, field: String) throws(KaizenError) {
        guard value.count <= limit else {
            throw .invalidParameter("'\(field)' exceeds the maximum length of \(limit) characters")
        }
    }

    /// Shortens a value to `limit` characters, as MLflow does for params and run tags.
    public static func truncate(_ value: String, to limit: Int) -> String {
        value.count <= limit ? value : String(value.prefix(limit))
    }

    /// Checks an id against MLflow's pattern for run and experiment ids.
    public static func validateRunID(_ runID: String) throws(KaizenError) {
        guard !runID.isEmpty else { throw .missingParameter("run_id") }
        guard runID.utf8.count <= 256, let first = runID.unicodeScalars.first,
            isIDCharacter(first) && first != "_" && first != "-",
            runID.unicodeScalars.allSatisfy(isIDCharacter)
        else {
            throw .invalidValue(runID, for: "run_id")
        }
    }

    static func isIDCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "-"
    }

    /// Parses an experiment id, which must be a decimal integer in this store.
    public static func parseExperimentID(_ id: String) throws(KaizenError) -> Int64 {
        guard let value = Int64(id), value >= 0 else {
            throw .invalidParameter("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
        }
        return value
    }
}
