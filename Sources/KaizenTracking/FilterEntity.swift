/// What a filter or order-by key refers to: `metrics.x`, `params.x`, `tags.x`, an attribute, a dataset field.
public enum FilterEntity: String, Sendable {
    case metric
    case param
    case tag
    case attribute
    case dataset

    /// Maps a key prefix and its MLflow aliases (`metric`, `parameter`, `attr`, `run`, ...) to an entity.
    init?(prefix: String) {
        switch prefix.lowercased() {
        case "metric", "metrics": self = .metric
        case "param", "params", "parameter", "parameters": self = .param
        case "tag", "tags": self = .tag
        case "attribute", "attributes", "attr", "run": self = .attribute
        case "dataset", "datasets": self = .dataset
        default: return nil
        }
    }
}
