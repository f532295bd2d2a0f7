public import Foundation
public import KaizenCore

/// A model URI as MLflow writes them: a registered version, stage or alias, a logged model, a run's artifact path,
/// or a local folder or file.
public enum ModelReference: Sendable, Equatable, CustomStringConvertible {
    /// `models:/name/3`
    case version(name: String, version: String)
    /// `models:/name/Production`, or `models:/name/latest` (stage `nil`).
    case stage(name: String, stage: String?)
    /// `models:/name@champion`
    case alias(name: String, alias: String)
    /// `models:/m-...`
    case loggedModel(id: String)
    /// `runs:/RUN_ID/path`
    case run(id: String, path: String)
    /// A folder with an `MLmodel` file, or an `.onnx` file.
    case local(URL)

    /// Parses `uri`, refusing path segments that could leave the place they name.
    public init(parsing uri: String) throws(KaizenError) {
        func invalid(_ why: String) -> KaizenError {
            KaizenError.invalidParameter("Invalid model URI '\(uri)': \(why)")
        }
        if uri.hasPrefix("models:/") {
            let rest = String(uri.dropFirst("models:/".count))
            guard !rest.isEmpty, !rest.hasPrefix("/") else { throw invalid("expected models:/<name>/<version>") }
            if rest.hasPrefix("m-"), !rest.contains("/"), !rest.contains("@") {
                guard Self.isSafeName(rest) else { throw invalid("bad logged model id") }
                self = .loggedModel(id: rest)
                return
            }
            if let at = rest.lastIndex(of: "@"), !rest[at...].contains("/") {
                let name = String(rest[..<at])
                let alias = String(rest[rest.index(after: at)...])
                guard !name.isEmpty, !alias.isEmpty else { throw invalid("expected models:/<name>@<alias>") }
                self = .alias(name: name, alias: alias)
                return
            }
            guard let slash = rest.lastIndex(of: "/") else {
                throw invalid("expected models:/<name>/<version or stage>, models:/<name>@<alias> or models:/m-<id>")
            }
            let name = String(rest[..<slash])
            let suffix = String(rest[rest.index(after: slash)...])
            guard !name.isEmpty, !suffix.isEmpty else { throw invalid("the name and version must not be empty") }
            if suffix.allSatisfy(\.isNumber) {
                self = .version(name: name, version: suffix)
            } else if suffix.lowercased() == "latest" {
                self = .stage(name: name, stage: nil)
            } else {
                let stages = ["None", "Staging", "Production", "Archived"]
                guard let stage = stages.first(where: { $0.lowercased() == suffix.lowercased() }) else {
                    throw invalid(
                        "'\(suffix)' is not a version number, a stage (\(stages.joined(separator: ", "))) or latest")
                }
                self = .stage(name: name, stage: stage)
            }
        } else if uri.hasPrefix("runs:/") {
            let rest = uri.dropFirst("runs:/".count).drop { $0 == "/" }
            let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
            guard let id = parts.first, Self.isSafeName(id) else { throw invalid("expected runs:/<run_id>/<path>") }
            let path = parts.count > 1 ? parts[1] : ""
            guard Self.isSafeRelativePath(path) else {
                throw invalid("the artifact path must stay inside the run's artifacts")
            }
            self = .run(id: id, path: path)
        } else if uri.hasPrefix("file://") {
            guard let url = URL(string: uri), url.isFileURL else { throw invalid("not a file URL") }
            self = .local(url)
        } else if uri.contains(":/") && !uri.hasPrefix("/") && !uri.hasPrefix(".") {
            throw invalid("Kaizen serves models:/, runs:/, file:// URIs and local paths")
        } else {
            self = .local(URL(fileURLWithPath: uri))
        }
    }

    /// Whether the version this names can change (a stage or an alias), so a server should watch it.
    public var isMoving: Bool {
        switch self {
        case .stage, .alias: true
        default: false
        }
    }

    /// The registered model name, when the reference is to the registry.
    public var registeredName: String? {
        switch self {
        case .version(let name, _), .stage(let name, _), .alias(let name, _): name
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .version(let name, let version): "models:/\(name)/\(version)"
        case .stage(let name, let stage): "models:/\(name)/\(stage ?? "latest")"
        case .alias(let name, let alias): "models:/\(name)@\(alias)"
        case .loggedModel(let id): "models:/\(id)"
        case .run(let id, let path): "runs:/\(id)/\(path)"
        case .local(let url): url.path
        }
    }

    static func isSafeName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 256
            && text.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
            }
            && text != "." && text != ".."
    }

    /// A relative path whose segments, percent-decoded any number of times, are never `.`, `..` or empty.
    static func isSafeRelativePath(_ path: String) -> Bool {
        if path.isEmpty { return true }
        let decoded = PercentEncoding.decodeRepeatedly(path)
        guard !decoded.hasPrefix("/"), !decoded.contains("\\"), !decoded.contains("\0") else { return false }
        return decoded.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }
}
