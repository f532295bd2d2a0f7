public import KaizenCore

/// A progressive rollout of a candidate model version on an endpoint, as a state machine without I/O.
///
/// Events go in through `handle(_:now:)` and effects come out for the caller to carry out (set the endpoint's
/// weights, send webhooks, run contract checks). Time is passed in, in milliseconds, and never read from a clock,
/// and the whole state is a plain value with a JSON form (`json`, `init(json:)`), so a control plane that restarts
/// reads the rollout back and goes on from the same step, measured from the same `stepStartedAt`.
///
/// The rules: contract checks run first, and any failure rolls back. A step advances only when its verdict passes
/// with at least `settings.stepRequests` candidate requests and `settings.stepDuration` elapsed. A failed verdict
/// rolls back at once. A step without a decision after `settings.stepTimeout` pauses, and never promotes. Pause,
/// resume, abort and promote are the users' commands; events that do not apply in the current phase, and every
/// event once the rollout is over, are ignored (see `rejection(of:)` and `apply(_:now:)`).
public struct Rollout: Sendable, Equatable {
    /// Assigned by the store when the rollout starts.
    public let id: String
    /// The endpoint's name.
    public let endpoint: String
    /// The version that had all traffic when the rollout started.
    public let stableVersion: Int64
    /// The version being rolled out.
    public let candidateVersion: Int64
    /// Canary steps, blue-green or shadow.
    public let strategy: RolloutStrategy
    /// When steps may advance and when they time out.
    public let settings: RolloutSettings
    /// Where the rollout is; changed by events only.
    public internal(set) var phase: RolloutPhase
    /// When the running step started or was resumed, in milliseconds; the creation time before the first step.
    public internal(set) var stepStartedAt: Int64
    /// Decided steps, oldest first: passed, failed and timed-out verdicts.
    public internal(set) var history: [RolloutStepRecord]
    /// The latest undecided verdict of the running (or paused) step, for `status`.
    public internal(set) var latestEvaluation: RolloutStepRecord?
    /// The contract checks' results, once they ran.
    public internal(set) var contractChecks: [ContractCheckResult]
    /// When the rollout started, in milliseconds.
    public let createdAt: Int64
    /// When an event last changed the rollout.
    public internal(set) var updatedAt: Int64

    init(
        id: String, endpoint: String, stableVersion: Int64, candidateVersion: Int64, strategy: RolloutStrategy,
        settings: RolloutSettings, phase: RolloutPhase, stepStartedAt: Int64, history: [RolloutStepRecord],
        latestEvaluation: RolloutStepRecord?, contractChecks: [ContractCheckResult], createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.endpoint = endpoint
        self.stableVersion = stableVersion
        self.candidateVersion = candidateVersion
        self.strategy = strategy
        self.settings = settings
        self.phase = phase
        self.stepStartedAt = stepStartedAt
        self.history = history
        self.latestEvaluation = latestEvaluation
        self.contractChecks = contractChecks
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Creates a rollout in the `contract_checks` phase, with the effects that start it: `rollout.started` and
    /// running the contract checks. The stable version keeps all traffic until the checks pass.
    ///
    /// The caller makes sure `stableVersion` has all of the endpoint's traffic and no other rollout of the endpoint
    /// is running. Throws `INVALID_PARAMETER_VALUE` for an empty id or endpoint, versions that are not positive or
    /// are the same, invalid canary steps, or a step time-out not longer than the step duration.
    public static func start(
        id: String, endpoint: String, stableVersion: Int64, candidateVersion: Int64, strategy: RolloutStrategy,
        settings: RolloutSettings = RolloutSettings(), now: Int64
    ) throws(KaizenError) -> (rollout: Rollout, effects: [RolloutEffect]) {
        guard !id.isEmpty, !endpoint.isEmpty else {
            throw .invalidParameter("A rollout needs an id and an endpoint")
        }
        guard stableVersion > 0, candidateVersion > 0, stableVersion != candidateVersion else {
            throw .invalidParameter(
                "A rollout goes from one version to another: got \(stableVersion) to \(candidateVersion)")
        }
        try strategy.validate()
        try settings.validate()
        let rollout = Rollout(
            id: id, endpoint: endpoint, stableVersion: stableVersion, candidateVersion: candidateVersion,
            strategy: strategy, settings: settings, phase: .contractChecks, stepStartedAt: now, history: [],
            latestEvaluation: nil, contractChecks: [], createdAt: now, updatedAt: now)
        return (rollout, [.emit(.started), .runContractChecks])
    }

    /// What the endpoint's traffic should be in the current phase: stable only during contract checks and after a
    /// rollback, abort or completed shadow; the step's split while a step runs or is paused; candidate only once
    /// promoted.
    public var currentWeights: RolloutWeights {
        switch phase {
        case .contractChecks, .rolledBack, .aborted, .shadowCompleted: .stableOnly
        case .step(let index), .paused(_, let index): strategy.weights(atStep: index)
        case .promoted: .candidateOnly
        }
    }
}
