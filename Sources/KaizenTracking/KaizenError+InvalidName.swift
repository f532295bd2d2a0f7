import KaizenCore

extension KaizenError {
    /// MLflow's message for an invalid name, with the reason after the field.
    static func invalidName(_ key: String, field: String, _ detail: String) -> KaizenError {
        .invalidParameter("Invalid value \"\(key)\" for parameter '\(field)' supplied: \(detail)")
    }
}
