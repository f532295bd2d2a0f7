public import Logging
public import ServiceLifecycle

/// Follows a moving model reference (a stage or an alias): every `interval` it asks `check` for a new model and
/// puts what it gets into the slot. A failed check is logged and retried at the next tick; the old model keeps
/// serving meanwhile.
public struct ModelWatcher: Service {
    public let slot: ModelSlot
    public let interval: Duration
    /// Returns a newly loaded model when the reference now names another version than `current`, else `nil`.
    public let check: @Sendable (_ current: ScoringModel) async throws -> ScoringModel?
    public let logger: Logger

    public init(
        slot: ModelSlot, interval: Duration, logger: Logger,
        check: @escaping @Sendable (_ current: ScoringModel) async throws -> ScoringModel?
    ) {
        self.slot = slot
        self.interval = interval
        self.check = check
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            guard let current = slot.model else { continue }
            do {
                if let next = try await check(current) {
                    slot.replace(with: next)
                    logger.notice(
                        "model swapped",
                        metadata: [
                            "model": "\(next.name)", "from_version": "\(current.version ?? "-")",
                            "to_version": "\(next.version ?? "-")",
                        ])
                }
            } catch {
                logger.warning("model check failed; still serving the current version", metadata: ["error": "\(error)"])
            }
        }
    }
}
