public import KaizenCore

/// One compressed segment of an endpoint's inference log as a replica shipped it: gzip'd JSON lines, one line per
/// scored row, kept in the artifact store; the store of record keeps this description of it, so a window's segments
/// are found without listing any files.
///
/// A line holds the row's input columns as the caller sent them, the model's outputs as `output.<name>` (wider
/// outputs as `output.<name>_<i>`), and `kaizen.request_id`, `kaizen.row`, `kaizen.time` (milliseconds) and
/// `kaizen.version`.
public struct InferenceSegment: Sendable, Equatable {
    /// The endpoint (or the name given to `kaizen models serve --inference-log`) whose traffic this is.
    public var endpoint: String
    /// The replica that wrote it; with `sequence`, the segment's identity.
    public var replicaID: String
    /// 1, 2, 3, ... per replica process.
    public var sequence: Int64
    /// Time of the first and the last record, in milliseconds since the epoch.
    public var firstTime: Int64
    public var lastTime: Int64
    /// Lines (scored rows) in the segment.
    public var records: Int64
    /// Requests the lines came from.
    public var requests: Int64
    /// Requests the replica sampled for the log but dropped (its queue was full) since its previous segment.
    public var dropped: Int64
    /// Compressed size in bytes.
    public var bytes: Int64
    /// When the control plane stored it, in milliseconds since the epoch.
    public var receivedAt: Int64

    public init(
        endpoint: String, replicaID: String, sequence: Int64, firstTime: Int64, lastTime: Int64, records: Int64,
        requests: Int64, dropped: Int64, bytes: Int64 = 0, receivedAt: Int64 = 0
    ) {
        self.endpoint = endpoint
        self.replicaID = replicaID
        self.sequence = sequence
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.records = records
        self.requests = requests
        self.dropped = dropped
        self.bytes = bytes
        self.receivedAt = receivedAt
    }

    /// Where the segment's bytes live in the artifact store:
    /// `monitoring/<endpoint>/inferences/<yyyy-mm-dd>/<replica>-<sequence>.jsonl.gz`, by the day of its first record.
    public var path: String {
        let sequenceText = String(sequence)
        let padded = String(repeating: "0", count: max(0, 10 - sequenceText.count)) + sequenceText
        return "monitoring/\(endpoint)/inferences/\(Self.day(firstTime))/\(replicaID)-\(padded).jsonl.gz"
    }

    /// The UTC calendar day of `millis` as `yyyy-mm-dd`.
    static func day(_ millis: Int64) -> String {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let days = Int64((Double(millis) / 86_400_000).rounded(.down)) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(year)-\(two(month))-\(two(day))"
    }

    /// Checks what a replica claims before anything is stored: names safe in paths and URLs, counts that add up.
    public func validate() throws(KaizenError) {
        try ResourceName.validate(endpoint, field: "endpoint")
        try ResourceName.validate(replicaID, field: "replica_id")
        guard sequence > 0 else { throw .invalidParameter("'sequence' must be a positive whole number") }
        guard firstTime > 0, lastTime >= firstTime, lastTime < 253_402_300_800_000 else {
            throw .invalidParameter("'first_time' and 'last_time' must be epoch milliseconds, first <= last")
        }
        guard records > 0, requests > 0, requests <= records, dropped >= 0 else {
            throw .invalidParameter(
                "A segment holds at least one record, 'requests' between 1 and 'records', and 'dropped' >= 0")
        }
    }

    public var json: JSONValue {
        .object([
            ("endpoint", .string(endpoint)), ("replica_id", .string(replicaID)), ("sequence", .integer(sequence)),
            ("first_time", .integer(firstTime)), ("last_time", .integer(lastTime)), ("records", .integer(records)),
            ("requests", .integer(requests)), ("dropped", .integer(dropped)), ("bytes", .integer(bytes)),
            ("received_at", .integer(receivedAt)), ("path", .string(path)),
        ])
    }

    /// A segment as `json` writes it (the fields `path` is derived from are enough).
    public init(json: JSONValue) throws(KaizenError) {
        func field(_ name: String) throws(KaizenError) -> Int64 {
            guard case .integer(let value)? = json[name] else {
                throw .invalidParameter("The segment's '\(name)' must be a whole number")
            }
            return value
        }
        guard let endpoint = json["endpoint"]?.stringValue, let replicaID = json["replica_id"]?.stringValue else {
            throw .invalidParameter("A segment names its 'endpoint' and 'replica_id'")
        }
        self.init(
            endpoint: endpoint, replicaID: replicaID, sequence: try field("sequence"),
            firstTime: try field("first_time"), lastTime: try field("last_time"), records: try field("records"),
            requests: try field("requests"), dropped: try field("dropped"), bytes: try field("bytes"),
            receivedAt: try field("received_at"))
        try validate()
    }
}
