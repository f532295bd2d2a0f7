public import KaizenCore

/// A relative artifact path that has passed the traversal checks: no `..` segment, not absolute, no
/// fragment, no NUL, after percent-decoding as many times as the input was encoded.
public struct ArtifactPath: Sendable, Hashable, CustomStringConvertible {
    /// Segments of the path, none empty, `.` or `..`.
    public let segments: [String]

    /// The path as `a/b/c`; empty for the root.
    public var description: String { segments.joined(separator: "/") }

    /// How many rounds of percent-decoding are tried before a path is refused as over-encoded.
    static let maximumDecodingRounds = 10

    /// Validates a path taken from a URL or a request parameter. An empty path is the root.
    public init(validating raw: String) throws(KaizenError) {
        var text = raw
        var rounds = 0
        while true {
            guard let decoded = Self.percentDecode(text) else { throw Self.invalid }
            if decoded == text { break }
            text = decoded
            rounds += 1
            guard rounds < Self.maximumDecodingRounds else { throw Self.invalid }
        }
        if text.hasPrefix("file:") { throw Self.invalid }
        guard !text.contains("#"), !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw Self.invalid }
        guard !text.hasPrefix("/") else { throw Self.invalid }
        var segments: [String] = []
        for segment in text.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == ".." { throw Self.invalid }
            if segment == "." { continue }
            segments.append(String(segment))
        }
        self.segments = segments
    }

    init(segments: [String]) {
        self.segments = segments
    }

    /// MLflow's answer to any path that tries to leave the artifact root.
    public static let invalid = KaizenError.invalidParameter("Invalid path")

    /// Whether this is the artifact root itself.
    public var isRoot: Bool { segments.isEmpty }

    /// The last segment, the name a listing shows.
    public var name: String { segments.last ?? "" }

    /// This path with one more segment.
    public func appending(_ name: String) -> ArtifactPath {
        ArtifactPath(segments: segments + [name])
    }

    /// Decodes `%XX` escapes once; nil when an escape is malformed or the bytes are not UTF-8.
    public static func percentDecode(_ text: String) -> String? {
        PercentEncoding.decode(text, strict: true)
    }
}
