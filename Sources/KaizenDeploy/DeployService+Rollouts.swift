import Foundation
import KaizenCore
public import KaizenRegistry

/// Rollouts: starting one, the user's commands, and the controller's periodic step. A change of phase moves the
/// endpoint (its weights, a followed alias put back) before the phase is saved and announces it (webhook events)
/// after: whoever reads a phase finds the endpoint already in it, and a control plane stopped in between finds the
/// rollout in its previous phase, decides again on its next pass and repeats at most an idempotent weight change.
extension DeployService {
    /// The actor the controller's own changes are audited under.
    public static let controller = Actor("kaizen-rollouts")

    /// Starts a rollout of `version` on `endpointName`, whose traffic must all go to one version (the stable one).
    public func startRollout(
        endpoint endpointName: String, version: Int64, strategy: RolloutStrategy, settings: RolloutSettings,
        actor: Actor
    ) async throws -> Rollout {
        let endpoint = try await endpoint(named: endpointName)
        guard endpoint.traffic.count == 1, let stable = endpoint.traffic.first, stable.weight == 100 else {
            throw KaizenError(
                .custom("INVALID_STATE", 409),
                "Endpoint '\(endpointName)' splits its traffic; a rollout starts from one version with 100%")
        }
        guard try await registry.modelVersion(name: endpoint.modelName, version: version) != nil else {
            throw KaizenError.notFound("Model Version (name=\(endpoint.modelName), version=\(version)) not found")
        }
        let (rollout, effects) = try Rollout.start(
            id: UUID().uuidString.lowercased(), endpoint: endpointName, stableVersion: stable.version,
            candidateVersion: version, strategy: strategy, settings: settings, now: currentTimeMillis())
        try await endpoints.createRollout(rollout, modelName: endpoint.modelName, actor: actor)
        try await moveEndpoint(effects, of: rollout, actor: actor)
        announce(effects, of: rollout)
        return rollout
    }

    /// The newest rollout of `endpoint`.
    public func rollout(endpoint: String) async throws -> Rollout {
        guard let rollout = try await endpoints.rollouts(endpoint: endpoint).first else {
            throw KaizenError.notFound("Endpoint '\(endpoint)' has no rollout")
        }
        return rollout
    }

    public func rollouts(endpoint: String) async throws -> [Rollout] {
        try await endpoints.rollouts(endpoint: endpoint)
    }

    /// A user's `pause`, `resume`, `abort` or `promote` of the endpoint's rollout in progress; a 409 when its phase
    /// does not allow it.
    public func command(_ event: RolloutEvent, endpoint: String, actor: Actor) async throws -> Rollout {
        var rollout = try await rollout(endpoint: endpoint)
        let before = rollout
        let effects = try rollout.apply(event, now: currentTimeMillis())
        let movedAlias = try await moveEndpoint(effects, of: rollout, actor: actor)
        try await save(&rollout, replacing: before, movedAlias: movedAlias, action: "\(event)_rollout", actor: actor)
        announce(effects, of: rollout)
        return rollout
    }

    /// One pass of the controller over a rollout in progress: contract checks when they are due, then the step's
    /// analysis on the replicas' reports, then time-outs. Returns the rollout as saved.
    ///
    /// - Parameter performance: monitoring's figures for the rollouts that gate on accuracy; nil where the control
    ///   plane reads no inference log.
    public func advance(
        _ rollout: Rollout, checks: any ContractChecker, performance: (any VersionPerformanceSource)? = nil
    ) async throws -> Rollout {
        var rollout = rollout
        let before = rollout
        var effects: [RolloutEffect] = []
        let now = currentTimeMillis()
        switch rollout.phase {
        case .contractChecks:
            let endpoint = try await endpoint(named: rollout.endpoint)
            let results = try await checks.check(
                model: endpoint.modelName, stable: rollout.stableVersion, candidate: rollout.candidateVersion,
                endpoint: rollout.endpoint, since: rollout.createdAt, thresholds: rollout.settings.thresholds)
            if let results {
                effects += rollout.handle(
                    results.allSatisfy(\.passed) ? .contractChecksPassed(results) : .contractChecksFailed(results),
                    now: now)
            }
        case .step:
            let verdict = try await evaluate(rollout, performance: performance, now: now)
            effects += rollout.handle(.stepEvaluated(verdict.0, candidateRequests: verdict.1), now: now)
        default:
            break
        }
        effects += rollout.handle(.tick, now: now)
        let movedAlias = try await moveEndpoint(effects, of: rollout, actor: Self.controller)
        if rollout != before {
            let changedPhase = rollout.phase != before.phase
            try await save(
                &rollout, replacing: before, movedAlias: movedAlias, action: changedPhase ? "advance_rollout" : nil,
                actor: Self.controller)
        }
        announce(effects, of: rollout)
        return rollout
    }

    /// The step's verdict from the reports received since it started: the candidate against the stable version over
    /// the same window; when the stable version has no live traffic in the step (a step at 100%), against what it
    /// answered earlier in the rollout. The performance gates, when the rollout sets them, compare both versions'
    /// logged traffic since the rollout started; the log is read only once the step has its requests and its time,
    /// so a busy endpoint's log is not read on every pass.
    func evaluate(
        _ rollout: Rollout, performance: (any VersionPerformanceSource)?, now: Int64
    ) async throws -> (StepVerdict, UInt64) {
        var ledger = ReportLedger()
        for report in try await endpoints.reports(endpoint: rollout.endpoint, since: rollout.createdAt) {
            _ = ledger.apply(report)
        }
        let candidate = ledger.stats(for: rollout.candidateVersion, since: rollout.stepStartedAt)
        var stable = ledger.stats(for: rollout.stableVersion, since: rollout.stepStartedAt)
        let minimum = rollout.settings.stepRequests
        if stable.requests < minimum {
            stable = ledger.stats(for: rollout.stableVersion, since: rollout.createdAt)
        }
        let shadow = if case .shadow = rollout.strategy { true } else { false }
        let candidateRequests = shadow ? candidate.shadowCompared : candidate.requests
        let thresholds = rollout.settings.analysisThresholds
        var figures = StepAnalysis.PerformanceFigures.pending("no inference log was read")
        if thresholds.gatesOnPerformance {
            figures = await performanceFigures(
                of: rollout, from: performance, now: now,
                ready: candidateRequests >= minimum && rollout.elapsed(at: now) >= rollout.settings.stepDuration)
        }
        let verdict = StepAnalysis(thresholds: thresholds).verdict(
            candidate: candidate, stable: stable, requiringShadowAgreement: shadow, performance: figures)
        return (verdict, candidateRequests)
    }

    /// Both versions' performance since the rollout started, once the step is `ready`; a failure to read the log is
    /// the reason the checks wait, shown in the step's verdict, and the next pass tries again.
    func performanceFigures(
        of rollout: Rollout, from source: (any VersionPerformanceSource)?, now: Int64, ready: Bool
    ) async -> StepAnalysis.PerformanceFigures {
        guard let source else { return .pending("this control plane reads no inference log") }
        guard ready else { return .pending("read from the inference log once the step has its requests and its time") }
        do {
            let measured = try await source.performance(endpoint: rollout.endpoint, from: rollout.createdAt, to: now)
            return .measured(candidate: measured[rollout.candidateVersion], stable: measured[rollout.stableVersion])
        } catch {
            return .pending("cannot read the inference log: \((error as? KaizenError)?.message ?? "\(error)")")
        }
    }

    /// Saves `rollout` if the stored state is still `before`, its time moved past `before`'s so that each save is
    /// told apart. When another replica saved it meanwhile (a user's command beside the controller's pass), the
    /// endpoint, already moved for this change, is put back in the saved phase's traffic (and a followed alias this
    /// change moved back to the stable version, `movedAlias`, is pointed at the candidate again unless the saved
    /// phase is a rollback too) and the conflict is thrown: the user retries, the controller's next pass starts from
    /// the saved state.
    func save(
        _ rollout: inout Rollout, replacing before: Rollout, movedAlias: Bool = false, action: String?, actor: Actor
    ) async throws {
        rollout.updatedAt = max(rollout.updatedAt, before.updatedAt + 1)
        let endpoint = try await endpoint(named: rollout.endpoint)
        do {
            try await endpoints.updateRollout(
                rollout, expectedUpdatedAt: before.updatedAt, modelName: endpoint.modelName, action: action,
                actor: actor)
        } catch let error as KaizenError where error.code == .custom("RESOURCE_CONFLICT", 409) {
            if let saved = try await endpoints.rollouts(endpoint: rollout.endpoint).first(where: { $0.id == rollout.id }
            ) {
                try await moveEndpoint([.setWeights(saved.currentWeights)], of: saved, actor: actor)
                let savedRollback = if case .rolledBack = saved.phase { true } else { false }
                if movedAlias, !savedRollback { try await reinstateAlias(after: saved) }
            }
            throw error
        }
    }

    /// The effects on the endpoint: a rollout rolled back moves its followed alias back, then weight changes go to
    /// the endpoint (replicas follow within a poll interval). Returns whether the alias was moved.
    @discardableResult
    func moveEndpoint(_ effects: [RolloutEffect], of rollout: Rollout, actor: Actor) async throws -> Bool {
        var movedAlias = false
        if effects.contains(where: { if case .emit(.rolledBack) = $0 { true } else { false } }) {
            movedAlias = try await restoreAlias(after: rollout)
        }
        for case .setWeights(let weights) in effects {
            var traffic = [VersionWeight(version: rollout.stableVersion, weight: weights.stable)]
            traffic.append(VersionWeight(version: rollout.candidateVersion, weight: weights.candidate))
            let shadow =
                weights.shadow > 0 ? [VersionWeight(version: rollout.candidateVersion, weight: weights.shadow)] : []
            _ = try await update(name: rollout.endpoint, traffic: traffic, shadow: shadow, actor: actor)
        }
        return movedAlias
    }

    /// Notices go to webhooks with the rollout as their data. Contract checks are run by the controller's next pass
    /// (`advance`): they can take a while and must not hold the caller's request.
    func announce(_ effects: [RolloutEffect], of rollout: Rollout) {
        for case .emit(let notice) in effects {
            let type: WebhookEventType =
                switch notice {
                case .started: .rolloutStarted
                case .step: .rolloutStep
                case .promoted: .rolloutPromoted
                case .rolledBack: .rolloutRolledBack
                case .paused: .rolloutPaused
                }
            events.publish(RegistryEvent(type: type, data: rollout.json, timestamp: currentTimeMillis()))
        }
    }
}

/// Runs a rollout's pre-traffic contract checks; returns nil while they cannot be decided yet (replicas have not
/// loaded the candidate), else the results. `thresholds` are the rollout's, with the contract checks' own limits.
public protocol ContractChecker: Sendable {
    func check(
        model: String, stable: Int64, candidate: Int64, endpoint: String, since: Int64, thresholds: AnalysisThresholds
    ) async throws
        -> [ContractCheckResult]?
}
