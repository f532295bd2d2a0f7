public import Logging
public import ServiceLifecycle

/// Follows a moving target (a stage, an alias, or an endpoint's revisions): every `interval` it asks `check` for a
/// new plan and puts what it gets into the slot. A failed check is logged and retried at the next tick; the current
/// plan keeps serving meanwhile.
public struct ModelWatcher: Service {
    public let slot: ModelSlot
    public let interval: Duration
    /// Returns a newly loaded plan when the target changed since `current`, else `nil`.
    public let check: @Sendable (_ current: ServingPlan) async throws -> ServingPlan?
    public let logger: Logger

    public init(
        slot: ModelSlot, interval: Duration, logger: Logger,
        check: @escaping @Sendable (_ current: ServingPlan) async throws -> ServingPlan?
    ) {
        self.slot = slot
        self.interval = interval
        self.check = check
        self.logger = logger
    }

    /// A plan check from a model check: for a server of one model that follows a stage or an alias.
    public static func followingPrimary(
        _ check: @escaping @Sendable (_ current: ScoringModel) async throws -> ScoringModel?
    ) -> @Sendable (_ current: ServingPlan) async throws -> ServingPlan? {
        { current in try await check(current.primary).map(ServingPlan.init(model:)) }
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            guard let current = slot.plan else { continue }
            do {
                if let next = try await check(current) {
                    slot.replace(with: next)
                    logger.notice(
                        "model swapped",
                        metadata: [
                            "model": "\(next.primary.name)",
                            "from_versions": "\(current.models.map { $0.version ?? "-" })",
                            "to_versions": "\(next.models.map { $0.version ?? "-" })",
                            "weights": "\(next.traffic.map { "\($0.model.version ?? "-"):\($0.percent)" })",
                        ])
                }
            } catch {
                logger.warning("model check failed; still serving the current version", metadata: ["error": "\(error)"])
            }
        }
    }
}
