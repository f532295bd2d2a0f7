/// Why a rollout is paused.
public enum RolloutPauseReason: String, Sendable, Equatable, CaseIterable {
    /// A user paused it (`kaizen rollouts pause`).
    case manual
    /// The step had no decisive data within the step time-out: too few candidate requests, or an analysis that
    /// could not decide.
    case stepTimeout = "step_timeout"
}
