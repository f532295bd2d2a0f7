import Foundation

/// Where S3 requests go: AWS's regional endpoints with the bucket in the host name (virtual-host style), or one
/// server (MinIO, moto, Ceph, ...) with the bucket as the first path segment (path style), as boto3 does when
/// `MLFLOW_S3_ENDPOINT_URL` names one.
public struct S3Endpoint: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// The server's `host[:port]` for path style; nil for AWS virtual-host style.
    public var authority: String?

    /// AWS S3: `https://<bucket>.s3.<region>.amazonaws.com/<key>`.
    public static let aws = S3Endpoint(scheme: "https", authority: nil)

    init(scheme: String, authority: String?) {
        self.scheme = scheme
        self.authority = authority
    }

    /// A path-style endpoint from a URL such as `http://127.0.0.1:9000`; nil when it is not an http(s) URL with a
    /// host (a path after the host is not supported and refused).
    public init?(url: String) {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = url[separator.upperBound...]
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@")
        else { return nil }
        self.init(scheme: scheme, authority: String(rest))
    }

    /// The URL of a bucket (`key` nil) or an object, with `query`.
    public func url(
        bucket: String, key: String?, query: [(name: String, value: String?)] = [], region: String
    ) -> S3URL {
        let encodedKey = key.map(S3URL.encodePath)
        if let authority {
            return S3URL(
                scheme: scheme, authority: authority, path: "/" + bucket + (encodedKey.map { "/" + $0 } ?? ""),
                query: query)
        }
        return S3URL(
            scheme: scheme, authority: "\(bucket).s3.\(region).amazonaws.com", path: "/" + (encodedKey ?? ""),
            query: query)
    }
}
