import KaizenCore

@testable import KaizenDeploy

/// Builders for the rollout tests: verdicts and rollouts driven to a phase through real events.
enum RolloutFixtures {
    static let minute: Int64 = 60_000
    /// 200 requests, one minute, ten minutes.
    static let settings = RolloutSettings()

    static func verdict(_ outcome: VerdictOutcome, reason: String = "") -> StepVerdict {
        StepVerdict(checks: [
            CheckResult(name: "error_rate", outcome: outcome, figures: ["p_value": 0.5], reason: reason),
            CheckResult(name: "latency_p99", outcome: outcome == .fail ? .pass : outcome, figures: [:], reason: ""),
        ])
    }

    static let passedChecks = [
        ContractCheckResult(name: "replicas_loaded", passed: true, detail: "3 of 3"),
        ContractCheckResult(name: "signature", passed: true),
    ]

    /// A rollout from version 3 to 4 created at time 0, still in its contract checks.
    static func started(_ strategy: RolloutStrategy = .canary(steps: [5, 25, 50, 100])) throws -> Rollout {
        try Rollout.start(
            id: "r1", endpoint: "fraud", stableVersion: 3, candidateVersion: 4, strategy: strategy,
            settings: settings, now: 0
        ).rollout
    }

    /// A rollout whose contract checks passed at time 1000: step 0 runs from 1000.
    static func inFirstStep(_ strategy: RolloutStrategy = .canary(steps: [5, 25, 50, 100])) throws -> Rollout {
        var rollout = try started(strategy)
        _ = rollout.handle(.contractChecksPassed(passedChecks), now: 1000)
        return rollout
    }

    /// Passes the running step with enough requests once its minimum duration is over; returns the effects.
    static func passStep(_ rollout: inout Rollout) -> [RolloutEffect] {
        rollout.handle(
            .stepEvaluated(verdict(.pass), candidateRequests: 500), now: rollout.stepStartedAt + settings.stepDuration)
    }

    /// A rollout in every phase there is, each reached through events, by a name for messages.
    static func everyPhase() throws -> [(String, Rollout)] {
        var result: [(String, Rollout)] = [("contract_checks", try started())]
        var step = try inFirstStep()
        _ = step.handle(.stepEvaluated(verdict(.notYet), candidateRequests: 10), now: 2000)
        result.append(("step", step))
        var manual = step
        _ = manual.handle(.pause, now: 3000)
        result.append(("paused manual", manual))
        var timedOut = step
        _ = timedOut.handle(.tick, now: 1000 + settings.stepTimeout)
        result.append(("paused step_timeout", timedOut))
        var promoted = step
        _ = promoted.handle(.promote, now: 4000)
        result.append(("promoted", promoted))
        var failed = step
        _ = failed.handle(.stepEvaluated(verdict(.fail, reason: "4.1% vs 0.3%"), candidateRequests: 80), now: 5000)
        result.append(("rolled_back", failed))
        var aborted = step
        _ = aborted.handle(.abort, now: 6000)
        result.append(("aborted", aborted))
        var shadow = try inFirstStep(.shadow(promote: false))
        _ = passStep(&shadow)
        result.append(("shadow_completed", shadow))
        var blueGreen = try inFirstStep(.blueGreen)
        _ = blueGreen.handle(.stepEvaluated(verdict(.pass), candidateRequests: 3), now: 9000)
        result.append(("blue_green step", blueGreen))
        return result
    }
}
