public import KaizenCore

extension ReplicaReport {
    /// The wire shape, versions sorted and written as strings (MLflow writes versions so):
    ///
    /// ```json
    /// {"replica_id": "host-a-5f3c", "endpoint": "fraud", "sequence": 42,
    ///  "window_start": 1733300000000, "window_end": 1733300005000,
    ///  "versions": {"3": {"requests": 120, "client_errors": 1, "server_errors": 0, "latency": [...15 counts],
    ///                     "classes": {"0": 100, "1": 20}, "bins": [], "shadow_compared": 0, "shadow_agreed": 0}}}
    /// ```
    public var json: JSONValue {
        .object([
            ("replica_id", .string(replicaID)),
            ("endpoint", .string(endpoint)),
            ("sequence", JSONObjectReader.integer(sequence)),
            ("window_start", .integer(windowStart)),
            ("window_end", .integer(windowEnd)),
            ("versions", .object(versions.sorted { $0.key < $1.key }.map { (String($0.key), $0.value.json) })),
        ])
    }

    /// Reads and validates the wire shape; a malformed report is refused with `INVALID_PARAMETER_VALUE` and a
    /// message naming the field (`'versions.3.latency' must have 15 counts; it has 14`). Unknown fields are ignored.
    public init(json: JSONValue) throws(KaizenError) {
        let reader = try JSONObjectReader(json, document: "replica report")
        let replicaID = try reader.requireString("replica_id", maximumLength: 256)
        let endpoint = try reader.requireString("endpoint", maximumLength: 256)
        guard let sequence = try reader.count("sequence") else { throw reader.fail("sequence", "is required") }
        let windowStart = try reader.requireInt64("window_start")
        let windowEnd = try reader.requireInt64("window_end")
        guard windowStart <= windowEnd else { throw reader.fail("window_end", "must not be before 'window_start'") }
        guard let list = try reader.object("versions") else { throw reader.fail("versions", "is required") }
        guard list.fields.count <= Self.maximumVersions else {
            throw reader.fail("versions", "must have at most \(Self.maximumVersions) versions")
        }
        var versions: [Int64: VersionStats] = [:]
        for (key, value) in list.fields {
            guard let version = Int64(key), version > 0, String(version) == key else {
                throw list.fail(key, "is not a version: keys of 'versions' are positive integers such as \"3\"")
            }
            guard versions[version] == nil else { throw list.fail(key, "appears twice") }
            let stats = try JSONObjectReader(value, document: reader.document, path: "versions.\(key).")
            versions[version] = try VersionStats(reader: stats)
        }
        self.init(
            replicaID: replicaID, endpoint: endpoint, sequence: sequence, windowStart: windowStart,
            windowEnd: windowEnd, versions: versions)
    }

    /// Parses and validates a report from a request body.
    public init(parsing bytes: some Collection<UInt8>) throws(KaizenError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw .invalidParameter("Invalid replica report: not JSON (\(error))")
        }
        try self.init(json: value)
    }
}
