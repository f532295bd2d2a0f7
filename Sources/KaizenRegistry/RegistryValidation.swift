import Foundation
public import KaizenCore
import KaizenTracking

/// MLflow's rules for registry names, aliases, tags and version numbers, with MLflow's messages.
public enum RegistryValidation {
    public static let maxTagValueLength = 100_000
    public static let maxAliasLength = 255

    /// A registered model name: not blank, no `/` or `:`, not a path trick.
    public static func validateModelName(_ name: String, field: String = "name") throws(KaizenError) {
        guard !name.trimmingWhitespace.isEmpty else {
            throw .invalidParameter("Missing value for required parameter '\(field)'.")
        }
        if name.contains("/") || name.contains(":") {
            throw .invalidParameter("Invalid model name '\(name)'. Names cannot contain '/' or ':'.")
        }
        let normalized = TrackingValidation.normalizePOSIXPath(name)
        if normalized != name || normalized == "." || normalized.hasPrefix("..") || normalized.hasPrefix("/") {
            throw .invalidParameter(
                "Invalid value \"\(name)\" for parameter '\(field)' supplied: Names may be treated as files in certain "
                    + "cases, and must not resolve to other names when treated as such. This name would resolve to '\(normalized)'"
            )
        }
    }

    /// A registry tag: key as for tracking, value at most 100,000 characters.
    public static func validateTag(_ tag: Tag) throws(KaizenError) {
        guard !tag.key.isEmpty else {
            throw .invalidParameter(
                "Invalid value \"\" for parameter 'key' supplied: Names may be treated as files in certain cases, "
                    + "and must not resolve to other names when treated as such. This name would resolve to '.'")
        }
        try TrackingValidation.validateKey(tag.key, kind: "Tag key", field: "key")
        guard tag.value.count <= maxTagValueLength else {
            throw .invalidParameter("'value' exceeds the maximum length of \(maxTagValueLength) characters")
        }
    }

    /// An alias being set: letters, digits, `_` and `-`; not `latest` nor `v<digits>`.
    public static func validateAliasToSet(_ alias: String) throws(KaizenError) {
        try validateAliasCharacters(alias)
        if alias.lowercased() == "latest" {
            throw .invalidParameter("'latest' alias name (case insensitive) is reserved.")
        }
        if alias.count > 1, alias.first == "v" || alias.first == "V", alias.dropFirst().allSatisfy(\.isASCIIDigit) {
            throw .invalidParameter("Version alias name '\(alias)' is reserved.")
        }
    }

    /// The characters and length of an alias.
    public static func validateAliasCharacters(_ alias: String) throws(KaizenError) {
        guard !alias.isEmpty else { throw .missingParameter("alias") }
        guard alias.count <= maxAliasLength else {
            throw .invalidParameter(
                "'Registered model alias name' exceeds the maximum length of \(maxAliasLength) characters")
        }
        guard
            alias.unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-"
            })
        else {
            throw .invalidParameter(
                "Invalid alias name: '\(alias)'. Names may only contain alphanumerics, underscores (_), and dashes (-)."
            )
        }
    }

    /// Parses a version number as MLflow does (`int(version.strip())`).
    public static func parseVersion(_ text: String) throws(KaizenError) -> Int64 {
        guard let version = Int64(text.trimmingWhitespace) else {
            throw .invalidParameter("Parameter 'version' must be an integer, got '\(text)'.")
        }
        return version
    }

    /// Parses a stage name, with MLflow's message for an unknown one.
    public static func parseStage(_ text: String) throws(KaizenError) -> ModelStage {
        guard let stage = ModelStage(caseInsensitive: text) else {
            throw .invalidParameter(
                "Invalid Model Version stage: \(text). Value must be one of None, Staging, Production, Archived.")
        }
        return stage
    }
}
