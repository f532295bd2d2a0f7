public import KaizenCore

extension Rollout {
    /// The error code of a command that does not apply to the rollout's phase: `INVALID_STATE` with HTTP 409.
    public static let invalidState = KaizenError.Code.custom("INVALID_STATE", 409)

    /// Why `event` does not apply in the current phase, or `nil` when `handle(_:now:)` acts on it.
    ///
    /// A finished rollout takes no events. Contract-check results apply only during contract checks, verdicts
    /// only while a step runs; `pause` needs a running step, `resume` a paused one, `promote` a running or paused
    /// step (contract checks are never skipped); `abort` applies to any rollout not yet finished; `tick` always.
    public func rejection(of event: RolloutEvent) -> KaizenError? {
        let problem: String? =
            switch (event, phase) {
            case (_, let phase) where phase.isTerminal: "is over (\(phase.name))"
            case (.contractChecksPassed, .contractChecks), (.contractChecksFailed, .contractChecks): nil
            case (.contractChecksPassed, _), (.contractChecksFailed, _): "is past its contract checks"
            case (.stepEvaluated, .step): nil
            case (.stepEvaluated, _): "has no running step (\(phase.name))"
            case (.tick, _), (.abort, _): nil
            case (.pause, .step): nil
            case (.pause, .paused): "is already paused"
            case (.pause, _): "cannot pause during its contract checks"
            case (.resume, .paused): nil
            case (.resume, _): "is not paused"
            case (.promote, .step), (.promote, .paused): nil
            case (.promote, _): "cannot be promoted before its contract checks pass"
            }
        guard let problem else { return nil }
        return KaizenError(
            Self.invalidState, "Cannot \(event.name) rollout \(id) of endpoint '\(endpoint)': it \(problem)")
    }
}
