/// The replica reports of one endpoint, each counted once, merged per version over a window of time.
///
/// A report is applied when its sequence is above every sequence already applied for its replica; a retried
/// report (same sequence) is a duplicate and an older one is stale, and neither changes the counts. Windows are
/// selected by the reports' `windowEnd`, in the replicas' clocks. A ledger grows with every report: `prune(before:)`
/// drops what no window will ask for again. To rebuild one after a restart, apply the stored reports again.
public struct ReportLedger: Sendable, Equatable {
    /// What `apply(_:)` did with a report.
    public enum Outcome: String, Sendable, Equatable {
        /// Counted.
        case applied
        /// Already counted: the replica's latest applied report has this sequence.
        case duplicate
        /// Not counted: a later report of the replica was applied already, or the window ended before the horizon
        /// that `prune(before:)` set.
        case stale
    }

    struct Entry: Sendable, Equatable {
        var windowEnd: Int64
        var versions: [Int64: VersionStats]
    }

    /// Applied reports, in the order they arrived.
    var entries: [Entry] = []
    /// The latest applied sequence and window end of each replica.
    var replicas: [String: (sequence: UInt64, windowEnd: Int64)] = [:]
    /// Reports whose window ended before this are stale; set by `prune(before:)`.
    public private(set) var horizon: Int64 = .min

    /// An empty ledger.
    public init() {}

    /// Equal when they hold the same reports, horizon and latest sequences.
    public static func == (lhs: ReportLedger, rhs: ReportLedger) -> Bool {
        lhs.entries == rhs.entries && lhs.horizon == rhs.horizon
            && lhs.replicas.mapValues(\.sequence) == rhs.replicas.mapValues(\.sequence)
    }

    /// Counts `report` unless it is a duplicate or stale; see `Outcome`.
    @discardableResult
    public mutating func apply(_ report: ReplicaReport) -> Outcome {
        if let latest = replicas[report.replicaID] {
            if report.sequence == latest.sequence { return .duplicate }
            if report.sequence < latest.sequence { return .stale }
        }
        guard report.windowEnd >= horizon else { return .stale }
        replicas[report.replicaID] = (report.sequence, report.windowEnd)
        entries.append(Entry(windowEnd: report.windowEnd, versions: report.versions))
        return .applied
    }

    /// The latest sequence applied for `replicaID`, if any.
    public func lastSequence(of replicaID: String) -> UInt64? {
        replicas[replicaID]?.sequence
    }

    /// How many reports are held.
    public var reportCount: Int { entries.count }

    /// Counts per version, merged over every report whose window ended in `since...through`.
    public func stats(since: Int64, through: Int64 = .max) -> [Int64: VersionStats] {
        var merged: [Int64: VersionStats] = [:]
        for entry in entries where entry.windowEnd >= since && entry.windowEnd <= through {
            for (version, stats) in entry.versions {
                merged[version, default: VersionStats()].add(stats)
            }
        }
        return merged
    }

    /// One version's counts, merged over every report whose window ended in `since...through`; zero when none.
    public func stats(for version: Int64, since: Int64, through: Int64 = .max) -> VersionStats {
        var merged = VersionStats()
        for entry in entries where entry.windowEnd >= since && entry.windowEnd <= through {
            if let stats = entry.versions[version] { merged.add(stats) }
        }
        return merged
    }

    /// Drops the reports whose window ended before `time`, and from then on refuses such reports as stale.
    /// Replicas last heard of before `time` are forgotten: a report of theirs that arrives late is stale anyway.
    public mutating func prune(before time: Int64) {
        guard time > horizon else { return }
        horizon = time
        entries.removeAll { $0.windowEnd < time }
        replicas = replicas.filter { $0.value.windowEnd >= time }
    }
}
