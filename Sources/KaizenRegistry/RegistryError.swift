public import KaizenCore

/// The errors of registry operations, worded as MLflow words them.
public enum RegistryError {
    public static func modelNotFound(_ name: String) -> KaizenError {
        .notFound("Registered Model with name=\(name) not found")
    }

    public static func versionNotFound(_ name: String, _ version: Int64) -> KaizenError {
        .notFound("Model Version (name=\(name), version=\(version)) not found")
    }

    public static func modelExists(_ name: String) -> KaizenError {
        KaizenError(.resourceAlreadyExists, "Registered Model (name=\(name)) already exists.")
    }

    public static func aliasNotFound(_ alias: String) -> KaizenError {
        .invalidParameter("Registered model alias \(alias) not found.")
    }
}
