/// What one serving replica saw of one endpoint since its previous report: the per-version counts that rollout
/// analysis merges over replicas.
///
/// Replicas send one every few seconds. `sequence` increases with every report a replica sends (per replica; one
/// counter for all its endpoints is fine), so a retried report is recognized and counted once. The replica id must
/// change when the process restarts (host name plus a random instance id, say), unless the sequence survives the
/// restart: a ledger ignores sequences at or below one it has already applied for that id.
public struct ReplicaReport: Sendable, Equatable {
    /// The most versions one report may carry.
    public static let maximumVersions = 100

    /// Unique per replica process.
    public var replicaID: String
    /// The endpoint whose traffic this counts; versions are versions of its registered model.
    public var endpoint: String
    /// Increases with every report of the replica.
    public var sequence: UInt64
    /// The window the counts cover, in the replica's milliseconds since the epoch; `windowStart <= windowEnd`.
    public var windowStart: Int64
    /// The end of the window; ledgers select reports by it.
    public var windowEnd: Int64
    /// Counts since the previous report (deltas, not totals), by model version. A version that only receives
    /// mirrored traffic counts its shadow calls in `requests`, `latency` and the errors.
    public var versions: [Int64: VersionStats]

    /// A report as a replica builds it.
    public init(
        replicaID: String, endpoint: String, sequence: UInt64, windowStart: Int64, windowEnd: Int64,
        versions: [Int64: VersionStats]
    ) {
        self.replicaID = replicaID
        self.endpoint = endpoint
        self.sequence = sequence
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.versions = versions
    }
}
