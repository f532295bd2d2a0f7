public import KaizenCore

/// The errors of tracking operations, worded as MLflow words them.
public enum TrackingError {
    public static func runNotFound(_ id: String) -> KaizenError {
        .notFound("Run with id=\(id) not found")
    }

    public static func runNotActive(_ id: String, stage: LifecycleStage) -> KaizenError {
        .invalidParameter("The run \(id) must be in the 'active' state. Current state is \(stage.rawValue).")
    }

    public static func experimentNotFound(_ id: String) -> KaizenError {
        .notFound("No Experiment with id=\(id) exists")
    }

    public static func experimentNotFound(named name: String) -> KaizenError {
        .notFound("Could not find experiment with name '\(name)'")
    }

    public static func experimentNotActive(_ id: String, stage: LifecycleStage) -> KaizenError {
        .invalidParameter("The experiment \(id) must be in the 'active' state. Current state is \(stage.rawValue).")
    }

    public static func experimentExists(_ name: String) -> KaizenError {
        KaizenError(.resourceAlreadyExists, "Experiment(name=\(name)) already exists.")
    }

    public static func paramChanged(runID: String, key: String, old: String, new: String) -> KaizenError {
        .invalidParameter(
            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(old)' "
                + "for run ID='\(runID)'. Attempted logging new value '\(new)'."
        )
    }

    public static func duplicateParams(_ keys: [String]) -> KaizenError {
        .invalidParameter(
            "Duplicate parameter keys have been submitted: [\(keys.map { "'\($0)'" }.joined(separator: ", "))]. "
                + "Please ensure the request contains only one param value per param key."
        )
    }

    public static func tagNotFound(runID: String, key: String) -> KaizenError {
        .notFound("No tag with name: \(key) in run with id \(runID)")
    }

    public static func loggedModelNotFound(_ id: String) -> KaizenError {
        .notFound("Logged model with ID '\(id)' not found.")
    }
}
