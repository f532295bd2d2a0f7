/// An image reference as Docker and the OCI distribution spec write it: `[registry/]repository[:tag]`.
/// A first component with a dot or a colon, or `localhost`, is a registry; otherwise the registry is Docker Hub and
/// a one-component repository is under `library/`. The tag defaults to `latest`.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// `host[:port]` as written (`docker.io` for Docker Hub).
    public var registry: String
    public var repository: String
    public var tag: String

    public init(parsing text: String) throws(ImageError) {
        guard !text.isEmpty, text.utf8.count <= 255, !text.contains("@") else {
            throw ImageError(
                .invalidArgument, "Invalid image reference '\(text)': expected [registry/]repository[:tag]")
        }
        var rest = Substring(text)
        var registry = "docker.io"
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        var tag = "latest"
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var repository = String(rest)
        if registry == "docker.io" && !repository.contains("/") { repository = "library/" + repository }
        guard Self.isRegistry(registry) else {
            throw ImageError(.invalidArgument, "Invalid registry '\(registry)' in image reference '\(text)'")
        }
        guard !repository.isEmpty,
            repository.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(Self.isComponent)
        else {
            throw ImageError(
                .invalidArgument,
                "Invalid repository '\(repository)' in '\(text)': lowercase letters, digits and . _ - between them")
        }
        guard Self.isTag(tag) else {
            throw ImageError(.invalidArgument, "Invalid tag '\(tag)' in '\(text)': letters, digits, _ . -, at most 128")
        }
        self.registry = registry
        self.repository = repository
        self.tag = tag
    }

    public var description: String { "\(registry)/\(repository):\(tag)" }

    /// The host the registry API is on (Docker Hub's API is not at docker.io).
    public var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    /// Whether the registry is on this machine, where Kaizen speaks plain HTTP as Docker does for localhost.
    public var isLoopback: Bool {
        let host =
            registry.hasPrefix("[")
            ? String(registry.dropFirst().prefix { $0 != "]" }) : String(registry.prefix { $0 != ":" })
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func isRegistry(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isComponent(_ component: Substring) -> Bool {
        guard let first = component.first, let last = component.last, isLowerAlphanumeric(first),
            isLowerAlphanumeric(last)
        else { return false }
        var previous: Character = first
        var underscores = 0
        for character in component.dropFirst() {
            if isLowerAlphanumeric(character) {
                underscores = 0
            } else if character == "_" {
                underscores += 1
                guard underscores <= 2, previous == "_" || isLowerAlphanumeric(previous) else { return false }
            } else if character == "." {
                guard isLowerAlphanumeric(previous) else { return false }
            } else if character == "-" {
                guard isLowerAlphanumeric(previous) || previous == "-" else { return false }
            } else {
                return false
            }
            previous = character
        }
        return true
    }

    static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
    static func isTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first.isASCII, first.isLetter || first.isNumber || first == "_"
        else { return false }
        return tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }
}
