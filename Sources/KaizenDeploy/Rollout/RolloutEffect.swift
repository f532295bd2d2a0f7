/// What the caller of `Rollout.handle(_:now:)` must carry out, in order, after saving the rollout.
public enum RolloutEffect: Sendable, Equatable {
    /// Run the contract checks against the candidate (making every replica load it without traffic) and report
    /// `contractChecksPassed` or `contractChecksFailed`, bounding the checks' time itself.
    case runContractChecks
    /// Set the endpoint's traffic: the stable version at `stable`%, the candidate at `candidate`%, and the
    /// candidate as a shadow of `shadow`% of requests. Idempotent: repeating it is harmless.
    case setWeights(RolloutWeights)
    /// Send the webhook event, with the rollout's `json` as its data.
    case emit(RolloutNotice)
}
