import KaizenCore
import KaizenDeploy
import Logging
import ServiceLifecycle

/// Drives every rollout in progress, every `interval`: contract checks, the step's analysis on the replicas'
/// reports, time-outs (``DeployService/advance(_:checks:)``). Its state is the database's, so a restarted control
/// plane goes on where it stopped. A failure on one rollout is logged and retried at the next pass. About once a
/// minute it also forgets the replicas' reports older than `reportRetention` that no rollout in progress needs. Among
/// replicas, the one holding the `rollouts` lease does this.
struct RolloutController: Service {
    let deploy: DeployService
    let checks: any ContractChecker
    /// Monitoring's figures for the rollouts that gate on accuracy.
    let performance: any VersionPerformanceSource
    let interval: Duration
    let logger: Logger
    var reportRetention: Duration = .seconds(24 * 3600)
    /// With replicas on one database, only the lease's holder drives the rollouts.
    var leadership: Leadership?

    func run() async throws {
        var lastPruned = ContinuousClock.now
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            if let leadership, await !leadership.isLeader() { continue }
            await pass()
            if ContinuousClock.now - lastPruned >= .seconds(60) {
                lastPruned = ContinuousClock.now
                await prune()
            }
        }
    }

    func prune() async {
        do {
            let retention = reportRetention.components.seconds * 1000
            let removed = try await deploy.pruneReports(now: currentTimeMillis(), retention: retention)
            if removed > 0 { logger.info("old replica reports removed", metadata: ["reports": "\(removed)"]) }
        } catch {
            logger.warning("cannot remove old replica reports", metadata: ["error": "\(error)"])
        }
    }

    func pass() async {
        do {
            for started in try await deploy.followAliases() {
                logger.notice(
                    "alias moved: rollout started",
                    metadata: ["endpoint": "\(started.endpoint)", "candidate": "\(started.candidateVersion)"])
            }
        } catch {
            logger.warning("cannot follow the endpoints' aliases", metadata: ["error": "\(error)"])
        }
        let active: [Rollout]
        do {
            active = try await deploy.endpoints.activeRollouts()
        } catch {
            logger.error("cannot load the rollouts in progress", metadata: ["error": "\(error)"])
            return
        }
        for rollout in active {
            do {
                let next = try await deploy.advance(rollout, checks: checks, performance: performance)
                if next.phase != rollout.phase || next.phase.stepIndex != rollout.phase.stepIndex {
                    logger.notice(
                        "rollout \(next.phase.name)",
                        metadata: [
                            "endpoint": "\(next.endpoint)", "candidate": "\(next.candidateVersion)",
                            "step": "\(next.phase.stepIndex.map(String.init) ?? "-")",
                        ])
                }
            } catch {
                logger.warning(
                    "rollout pass failed; retried at the next pass",
                    metadata: ["endpoint": "\(rollout.endpoint)", "rollout": "\(rollout.id)", "error": "\(error)"])
            }
        }
    }
}
