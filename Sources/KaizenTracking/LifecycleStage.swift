/// Whether an entity is live or soft-deleted; deleted entities can be restored.
public enum LifecycleStage: String, Sendable {
    case active
    case deleted
}
