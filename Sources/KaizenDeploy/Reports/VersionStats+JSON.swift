public import KaizenCore

extension VersionStats {
    /// The most class labels one version's counts may carry in a report.
    public static let maximumClassLabels = 10_000

    /// The wire shape inside a replica report: every field, counts as integers, classes sorted by label.
    ///
    /// `{"requests", "client_errors", "server_errors", "latency": [15 counts], "classes": {"label": count},
    /// "bins": [] or [42 counts], "shadow_compared", "shadow_agreed"}`.
    public var json: JSONValue {
        .object([
            ("requests", JSONObjectReader.integer(requests)),
            ("client_errors", JSONObjectReader.integer(clientErrors)),
            ("server_errors", JSONObjectReader.integer(serverErrors)),
            ("latency", .array(latency.map(JSONObjectReader.integer))),
            (
                "classes",
                .object(
                    predictions.classes.sorted { $0.key < $1.key }.map { ($0.key, JSONObjectReader.integer($0.value)) })
            ),
            ("bins", .array(predictions.bins.map(JSONObjectReader.integer))),
            ("shadow_compared", JSONObjectReader.integer(shadowCompared)),
            ("shadow_agreed", JSONObjectReader.integer(shadowAgreed)),
        ])
    }

    /// Reads the wire shape of `json`. Absent fields are zero (or empty); present ones must be well formed:
    /// non-negative integer counts, `latency` with exactly `latencyBounds.count + 1` counts, `bins` empty or with
    /// exactly `PredictionSketch.edges.count + 1`, errors at most the requests, latency observations at most the
    /// requests, agreements at most the comparisons.
    public init(json: JSONValue) throws(KaizenError) {
        try self.init(reader: JSONObjectReader(json, document: "version stats"))
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        let requests = try reader.count("requests") ?? 0
        let clientErrors = try reader.count("client_errors") ?? 0
        let serverErrors = try reader.count("server_errors") ?? 0
        let (errors, errorsOverflow) = clientErrors.addingReportingOverflow(serverErrors)
        guard !errorsOverflow, errors <= requests else {
            throw reader.fail("client_errors", "and 'server_errors' together must not exceed 'requests'")
        }
        let latency = try reader.counts("latency") ?? [UInt64](repeating: 0, count: Self.latencyBounds.count + 1)
        guard latency.count == Self.latencyBounds.count + 1 else {
            throw reader.fail("latency", "must have \(Self.latencyBounds.count + 1) counts; it has \(latency.count)")
        }
        var observed: UInt64 = 0
        for count in latency {
            let (sum, overflow) = observed.addingReportingOverflow(count)
            guard !overflow, sum <= requests else {
                throw reader.fail("latency", "must not count more than 'requests'")
            }
            observed = sum
        }
        let bins = try reader.counts("bins") ?? []
        guard bins.isEmpty || bins.count == PredictionSketch.edges.count + 1 else {
            throw reader.fail(
                "bins", "must be empty or have \(PredictionSketch.edges.count + 1) counts; it has \(bins.count)")
        }
        let shadowCompared = try reader.count("shadow_compared") ?? 0
        let shadowAgreed = try reader.count("shadow_agreed") ?? 0
        guard shadowAgreed <= shadowCompared else {
            throw reader.fail("shadow_agreed", "must not exceed 'shadow_compared'")
        }
        self.init(
            requests: requests, clientErrors: clientErrors, serverErrors: serverErrors, latency: latency,
            predictions: PredictionSketch(classes: try Self.classes(reader), bins: bins),
            shadowCompared: shadowCompared, shadowAgreed: shadowAgreed)
    }

    static func classes(_ reader: JSONObjectReader) throws(KaizenError) -> [String: UInt64] {
        guard let labels = try reader.object("classes") else { return [:] }
        guard labels.fields.count <= maximumClassLabels else {
            throw reader.fail("classes", "must have at most \(maximumClassLabels) labels")
        }
        var classes: [String: UInt64] = [:]
        for (label, _) in labels.fields {
            guard classes[label] == nil else { throw labels.fail(label, "appears twice") }
            classes[label] = try labels.count(label) ?? 0
        }
        return classes
    }
}
