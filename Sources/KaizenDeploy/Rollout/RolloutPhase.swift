/// Where a rollout is in its life. Steps are numbered from 0 in the API; `kaizen rollouts status` shows them from 1.
public enum RolloutPhase: Sendable, Equatable {
    /// The candidate is being checked before it gets any traffic.
    case contractChecks
    /// Step `index` of the strategy's steps is running.
    case step(Int)
    /// Waiting for `resume`, which restarts step `resumeTo`; traffic stays as that step set it.
    case paused(reason: RolloutPauseReason, resumeTo: Int)
    /// The candidate has all traffic. Terminal.
    case promoted
    /// A contract check or a step's analysis failed; the stable version has all traffic. Terminal.
    case rolledBack(reason: String)
    /// A user aborted; the stable version has all traffic. Terminal.
    case aborted
    /// A shadow rollout without promotion passed; the stable version keeps all traffic. Terminal.
    case shadowCompleted

    /// Every phase's API name.
    public static let names = [
        "contract_checks", "step", "paused", "promoted", "rolled_back", "aborted", "shadow_completed",
    ]

    /// The API name: `contract_checks`, `step`, `paused`, `promoted`, `rolled_back`, `aborted`, `shadow_completed`.
    public var name: String {
        switch self {
        case .contractChecks: "contract_checks"
        case .step: "step"
        case .paused: "paused"
        case .promoted: "promoted"
        case .rolledBack: "rolled_back"
        case .aborted: "aborted"
        case .shadowCompleted: "shadow_completed"
        }
    }

    /// Whether the rollout is over: no event changes it any more.
    public var isTerminal: Bool {
        switch self {
        case .contractChecks, .step, .paused: false
        case .promoted, .rolledBack, .aborted, .shadowCompleted: true
        }
    }

    /// The step that is running or that `resume` restarts.
    public var stepIndex: Int? {
        switch self {
        case .step(let index), .paused(_, let index): index
        default: nil
        }
    }
}
