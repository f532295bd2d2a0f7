import Foundation
import KaizenCore
import Logging

/// Whether this process drives a piece of background work right now. Replicas on one database each run the same
/// loops; only the holder of the work's lease acts, and another replica takes over once a holder stops renewing it.
struct Leadership: Sendable {
    let leases: any LeaseStore
    let name: String
    /// How long a lease holds without renewal: a few passes of the loop, so one slow pass does not lose it.
    let duration: Duration
    let logger: Logger
    /// This process, as a holder: the same for all its leases.
    static let processHolder = UUID().uuidString.lowercased()

    init(leases: any LeaseStore, name: String, interval: Duration, logger: Logger) {
        self.leases = leases
        self.name = name
        duration = max(interval * 3, .seconds(10))
        self.logger = logger
    }

    /// Takes or renews the lease; false (and a warning) when the store cannot be reached, so that no two replicas act
    /// while it is unclear who leads.
    func isLeader() async -> Bool {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        do {
            return try await leases.acquire(
                name, holder: Self.processHolder, now: currentTimeMillis(), duration: millis)
        } catch {
            logger.warning(
                "cannot take the lease; this pass is skipped", metadata: ["lease": "\(name)", "error": "\(error)"])
            return false
        }
    }
}
