/// One page of a ListObjectsV2 answer.
public struct S3Listing: Sendable, Equatable {
    /// An object of the listing.
    public struct Object: Sendable, Equatable {
        /// The whole key.
        public var key: String
        /// Size in bytes.
        public var size: Int64
    }

    /// Objects directly under the prefix (all under it without a delimiter).
    public var objects: [Object]
    /// The rolled-up prefixes, each ending with the delimiter.
    public var commonPrefixes: [String]
    /// The token for the next page; nil on the last one.
    public var nextContinuationToken: String?

    init(_ document: XMLElement) {
        objects = document.children(named: "Contents").compactMap { contents in
            guard let key = contents.text(of: "Key") else { return nil }
            return Object(key: key, size: contents.text(of: "Size").flatMap { Int64($0) } ?? 0)
        }
        commonPrefixes = document.children(named: "CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        let truncated = document.text(of: "IsTruncated") == "true"
        nextContinuationToken = truncated ? document.text(of: "NextContinuationToken") : nil
    }
}
