/// What happens to a rollout: results from the controller, time passing, and users' commands.
public enum RolloutEvent: Sendable, Equatable {
    /// Every contract check ran and passed. A failed result among them counts as `contractChecksFailed`.
    case contractChecksPassed([ContractCheckResult])
    /// A contract check failed (or could not run): the rollout stops before the candidate gets traffic.
    case contractChecksFailed([ContractCheckResult])
    /// The running step's analysis over the candidate's and the stable version's counts since the step started,
    /// with the number of candidate requests (or shadow calls, for a shadow rollout) it saw.
    case stepEvaluated(StepVerdict, candidateRequests: UInt64)
    /// Time passed: a step without a decision past the time-out pauses.
    case tick
    /// A user's command: hold the running step.
    case pause
    /// A user's command: restart the paused step, with a fresh clock.
    case resume
    /// A user's command: stop and give the stable version all traffic.
    case abort
    /// A user's command: give the candidate all traffic now, skipping the remaining steps.
    case promote

    /// The event's name in messages: `pause`, `step_evaluated`.
    public var name: String {
        switch self {
        case .contractChecksPassed: "contract_checks_passed"
        case .contractChecksFailed: "contract_checks_failed"
        case .stepEvaluated: "step_evaluated"
        case .tick: "tick"
        case .pause: "pause"
        case .resume: "resume"
        case .abort: "abort"
        case .promote: "promote"
        }
    }
}
