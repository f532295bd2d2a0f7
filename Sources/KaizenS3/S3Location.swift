/// An `s3://bucket/prefix` location: a bucket and a key prefix without slashes at either end.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    /// The bucket name.
    public var bucket: String
    /// The prefix under which keys live, without a leading or trailing `/`; empty for the whole bucket.
    public var prefix: String

    /// Parses `s3://bucket` or `s3://bucket/some/prefix`; nil for any other scheme.
    public init?(uri: String) {
        guard uri.lowercased().hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty, !bucket.contains("?"), !bucket.contains("#") else { return nil }
        self.bucket = String(bucket)
        let segments = rest.dropFirst(bucket.count).split(separator: "/").filter { $0 != "." }
        guard !segments.contains("..") else { return nil }
        self.prefix = segments.joined(separator: "/")
    }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
