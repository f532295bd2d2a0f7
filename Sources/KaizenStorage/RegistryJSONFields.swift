import KaizenCore
import KaizenTracking

/// JSON fragments shared by the audit records.
enum RegistryJSONFields {
    static func tags(_ tags: [Tag]) -> JSONValue {
        .object(tags.map { ($0.key, .string($0.value)) })
    }
}
