/// A webhook event a rollout emits, by its wire name. The payload is the rollout's `json`, whose `phase` tells
/// the cases apart that share a name (an abort is `rollout.rolled_back` with phase `aborted`).
public enum RolloutNotice: String, Sendable, Equatable, CaseIterable {
    /// The rollout was created; contract checks start.
    case started = "rollout.started"
    /// A step started (the first, the next one, or a resumed one), or a shadow rollout completed without promotion.
    case step = "rollout.step"
    /// The candidate has all traffic.
    case promoted = "rollout.promoted"
    /// Traffic returned to the stable version: a failed check or step, or an abort.
    case rolledBack = "rollout.rolled_back"
    /// The rollout paused: by a user, or for want of decisive data.
    case paused = "rollout.paused"
}
