import KaizenCore
public import KaizenTracking

/// Checks a model version's `source` before it is registered, closing the routes of MLflow's path
/// traversal CVEs: host-addressed schemes, local paths outside a run's artifacts, `..` in any encoding,
/// and sources that do not lie inside the run or logged model the request names.
public struct ModelVersionSource: Sendable {
    /// The outcome: what to store.
    public struct Resolved: Sendable, Equatable {
        public var source: String
        public var runID: String
        /// Where the files are when that differs from `source`.
        public var storageLocation: String?
    }

    /// Looks up what a source may refer to.
    public struct Lookups: Sendable {
        public var run: @Sendable (String) async throws -> RunInfo?
        public var loggedModel: @Sendable (String) async throws -> LoggedModel?
        /// Resolves `models:/name/<version|stage|latest>` and `models:/name@alias` to a version.
        public var registeredVersion: @Sendable (String, String) async throws -> ModelVersion

        public init(
            run: @escaping @Sendable (String) async throws -> RunInfo?,
            loggedModel: @escaping @Sendable (String) async throws -> LoggedModel?,
            registeredVersion: @escaping @Sendable (String, String) async throws -> ModelVersion
        ) {
            self.run = run
            self.loggedModel = loggedModel
            self.registeredVersion = registeredVersion
        }
    }

    static let hostAddressedSchemes: Set<String> = [
        "ftp", "sftp", "hdfs", "viewfs", "http", "https", "r2", "b2", "abfss",
    ]

    let lookups: Lookups

    public init(lookups: Lookups) {
        self.lookups = lookups
    }

    static func invalid(_ source: String, _ detail: String) -> KaizenError {
        .invalidParameter("Invalid model version source: '\(source)'. \(detail)")
    }

    static func mustIdentify(_ source: String, _ field: String) -> KaizenError {
        invalid(source, "The \(field) request parameter must identify the resource that contains the source.")
    }

    static func localPath(_ source: String, _ field: String) -> KaizenError {
        invalid(
            source,
            "To use a local path as a model version source, the \(field) request parameter has to be specified and the "
                + "local path has to be contained within the artifact directory of the \(field == "run_id" ? "run" : "model") "
                + "specified by the \(field).")
    }

    static func relativePath(_ source: String) -> KaizenError {
        invalid(
            source,
            "If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an "
                + "absolute path must be provided without relative path references present. Please provide an absolute path."
        )
    }

    /// Validates `source` for a new version; `runID` and `modelID` are the request's (nil when absent).
    public func resolve(source: String, runID: String?, modelID: String?) async throws -> Resolved {
        guard !source.unicodeScalars.contains(where: { $0.value == 0 }) else { throw Self.relativePath(source) }
        let parts = URIParts(source)
        if let scheme = parts.scheme,
            Self.hostAddressedSchemes.contains(scheme) || (scheme == "mlflow-artifacts" && !parts.netloc.isEmpty)
        {
            throw KaizenError.invalidParameter(
                "'source' cannot use the '\(scheme)' scheme: the '\(scheme)' scheme addresses a host other than the "
                    + "tracking server's configured artifact storage, so the server would connect to the host named in the URI."
            )
        }
        if parts.scheme == "models", !Self.isModelIDForm(parts) {
            return try await resolveRegisteredModelSource(source, parts: parts, runID: runID, modelID: modelID)
        }
        if let modelID, !modelID.isEmpty {
            return try await resolveAgainstModel(source, parts: parts, modelID: modelID, runID: runID)
        }
        return try await resolveAgainstRun(source, parts: parts, runID: runID ?? "")
    }

    static func isModelIDForm(_ parts: URIParts) -> Bool {
        let segments = parts.path.split(separator: "/")
        return parts.netloc.isEmpty && segments.count == 1 && !segments[0].contains("@")
    }

    static func isLocal(_ parts: URIParts) -> Bool {
        parts.scheme == nil || (parts.scheme == "file" && ["", "localhost", "127.0.0.1", "."].contains(parts.netloc))
    }

    /// `models:/name/<version|stage|latest>` or `models:/name@alias`: the referenced version's lineage.
    func resolveRegisteredModelSource(
        _ source: String, parts: URIParts, runID: String?, modelID: String?
    ) async throws
        -> Resolved
    {
        let (name, reference) = try Self.registeredReference(source, parts: parts)
        let version = try await lookups.registeredVersion(name, reference)
        return try Self.lineage(source, version: version, runID: runID, modelID: modelID)
    }

    static func registeredReference(_ source: String, parts: URIParts) throws -> (String, String) {
        guard parts.netloc.isEmpty else {
            throw invalid(source, "Registered model sources must use the active model registry.")
        }
        try checkRelativePaths(source, parts: parts)
        let path = parts.path.drop { $0 == "/" }
        if let at = path.firstIndex(of: "@"), !path.contains("/") {
            return (String(path[..<at]), String(path[at...]))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 2, !segments[0].isEmpty, !segments[1].isEmpty else {
            throw mustIdentify(source, "model_id")
        }
        return (String(segments[0]), String(segments[1]))
    }

    static func lineage(_ source: String, version: ModelVersion, runID: String?, modelID: String?) throws -> Resolved {
        if let runID, runID != version.runID {
            throw invalid(source, "The run_id and model_id request parameters must match the referenced model version.")
        }
        if modelID != nil {
            throw invalid(source, "The run_id and model_id request parameters must match the referenced model version.")
        }
        return Resolved(
            source: "models:/\(version.name)/\(version.version)", runID: version.runID,
            storageLocation: version.downloadURI)
    }

    // The checks below are synchronous on purpose: lookups happen first, then plain functions decide.
    // (An async version of these switch-heavy checks crashed the release compiler's coroutine splitting.)

    func resolveAgainstRun(_ source: String, parts: URIParts, runID: String) async throws -> Resolved {
        let run = runID.isEmpty ? nil : try await lookups.run(runID)
        return try Self.check(source, parts: parts, runID: runID, run: run)
    }

    static func check(_ source: String, parts: URIParts, runID: String, run: RunInfo?) throws -> Resolved {
        if isLocal(parts) {
            // Local paths are only acceptable inside a run whose artifacts are themselves local files.
            guard let run else { throw localPath(source, "run_id") }
            let root = URIParts(run.artifactURI)
            guard isLocal(root), isWithin(parts.path, root: root.path) else { throw localPath(source, "run_id") }
            try checkRelativePaths(source, parts: parts)
            return Resolved(source: source, runID: runID, storageLocation: nil)
        }
        if parts.scheme == "file" { throw localPath(source, "run_id") }
        try checkRelativePaths(source, parts: parts)
        switch parts.scheme {
        case "runs":
            let first = parts.path.split(separator: "/").first.map(String.init) ?? ""
            guard parts.netloc.isEmpty, !runID.isEmpty, first == runID else { throw mustIdentify(source, "run_id") }
        case "models":
            throw mustIdentify(source, "model_id")
        case "mlflow-artifacts":
            guard let run, isURI(source, within: run.artifactURI) else { throw mustIdentify(source, "run_id") }
        default:
            break
        }
        return Resolved(source: source, runID: runID, storageLocation: nil)
    }

    func resolveAgainstModel(
        _ source: String, parts: URIParts, modelID: String, runID: String?
    ) async throws -> Resolved {
        let model = try await lookups.loggedModel(modelID)
        return try Self.check(source, parts: parts, modelID: modelID, model: model, runID: runID)
    }

    static func check(
        _ source: String, parts: URIParts, modelID: String, model: LoggedModel?, runID: String?
    ) throws
        -> Resolved
    {
        guard let model else { throw KaizenError.notFound("Logged model with ID '\(modelID)' not found.") }
        if isLocal(parts) || parts.scheme == "file" { throw localPath(source, "model_id") }
        try checkRelativePaths(source, parts: parts)
        let lineageRun = (runID?.isEmpty == false ? runID : nil) ?? model.sourceRunID ?? ""
        switch parts.scheme {
        case "models":
            guard parts.netloc.isEmpty, parts.path.drop(while: { $0 == "/" }) == modelID else {
                throw mustIdentify(source, "model_id")
            }
            return Resolved(source: source, runID: lineageRun, storageLocation: model.artifactURI)
        case "runs":
            throw mustIdentify(source, "model_id")
        case "mlflow-artifacts":
            guard isURI(source, within: model.artifactURI) else { throw mustIdentify(source, "model_id") }
        default:
            break
        }
        return Resolved(source: source, runID: lineageRun, storageLocation: nil)
    }

    /// Refuses `..` anywhere (after decoding as often as it was encoded), NUL, `.` segments and relative paths.
    static func checkRelativePaths(_ source: String, parts: URIParts) throws {
        let decoded = PercentEncoding.decodeRepeatedly(source, plusAsSpace: true)
        if decoded.split(separator: "/", omittingEmptySubsequences: false).contains("..") { throw relativePath(source) }
        if decoded.unicodeScalars.contains(where: { $0.value == 0 }) { throw relativePath(source) }
        let path = PercentEncoding.decodeRepeatedly(parts.path)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.scheme == "models" || parts.scheme == "runs" {
            if segments.contains(where: { $0 == "." || $0 == ".." }) { throw relativePath(source) }
            return
        }
        guard path.hasPrefix("/"), !segments.isEmpty, !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            throw relativePath(source)
        }
    }

    /// Whether a local path lies at or under `root`, comparing decoded segments.
    static func isWithin(_ path: String, root: String) -> Bool {
        let pathSegments = path.split(separator: "/").map(String.init)
        let rootSegments = root.split(separator: "/").map(String.init)
        guard !rootSegments.isEmpty, !pathSegments.contains(".."), !pathSegments.contains(".") else { return false }
        return pathSegments.starts(with: rootSegments)
    }

    /// Whether URI `source` lies at or under URI `root`: same scheme and host, root's decoded path segments first.
    static func isURI(_ source: String, within root: String) -> Bool {
        let a = URIParts(source)
        let b = URIParts(root)
        guard a.scheme == b.scheme, a.netloc.lowercased() == b.netloc.lowercased() else { return false }
        func segments(_ path: String) -> [String] {
            path.split(separator: "/").map { PercentEncoding.decodeRepeatedly(String($0)) }
        }
        let rootSegments = segments(b.path)
        return !rootSegments.isEmpty && segments(a.path).starts(with: rootSegments)
    }
}
