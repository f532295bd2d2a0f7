/// Time-limited leadership over a named piece of background work, kept where every replica of a server can see it,
/// so that one replica at a time drives rollouts or evaluates alert rules.
public protocol LeaseStore: Sendable {
    /// Takes or renews the lease `name` for `holder` until `now + duration` (milliseconds): true when `holder` holds
    /// it afterwards, that is when it was free, ran out, or was already `holder`'s.
    func acquire(_ name: String, holder: String, now: Int64, duration: Int64) async throws -> Bool
}

/// The leases of a server that runs alone: every lease is always its own.
public struct SingleProcessLeases: LeaseStore {
    public init() {}

    public func acquire(_ name: String, holder: String, now: Int64, duration: Int64) async throws -> Bool {
        true
    }
}
