import Crypto
public import Foundation

/// AWS Signature Version 4 for S3, as botocore's `S3SigV4Auth` and `S3SigV4QueryAuth` compute it: an
/// `Authorization` header, or a presigned URL.
///
/// S3 paths are signed as they are sent, never normalised or encoded a second time; every header given is
/// signed (but `expect`, `transfer-encoding`, `user-agent` and `x-amzn-trace-id`), with its value's runs of
/// whitespace folded to one space. `Tests/KaizenS3Tests/Fixtures/sigv4-vectors.json`, written by botocore itself,
/// checks both forms byte for byte.
public struct SigV4Signer: Sendable {
    /// The payload hash that leaves the body unsigned.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The SHA-256 of no bytes.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Headers that proxies may change, so botocore never signs them.
    static let unsignedHeaders: Set<String> = ["expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"]

    /// The keys that sign.
    public let credentials: S3Credentials
    /// The region of the bucket, `us-east-1` for most S3-compatible servers.
    public let region: String
    /// The service in the credential scope.
    public let service: String

    /// A signer for `service` (S3 unless told) in `region`.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request so that S3 accepts it: `X-Amz-Date`, `X-Amz-Security-Token` (with a
    /// session token), `X-Amz-Content-SHA256` and `Authorization`.
    ///
    /// `headers` are the request's other headers, all of which are signed; `payloadHash` is the hex SHA-256 of
    /// the body, `emptyPayloadHash`, or `unsignedPayload`.
    public func authorizationHeaders(
        method: String, url: S3URL, headers: [(name: String, value: String)], payloadHash: String, date: Date
    ) -> [(name: String, value: String)] {
        let timestamp = Self.timestamp(date)
        var added: [(name: String, value: String)] = [("X-Amz-Date", timestamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        added.append(("X-Amz-Content-SHA256", payloadHash))
        let replaced = Set(added.map { $0.name.lowercased() } + ["authorization", "date"])
        let signed = headers.filter { !replaced.contains($0.name.lowercased()) } + added
        let (canonicalHeaders, signedNames) = canonicalize(signed, url: url)
        // The query exactly as the URL carries it; a bare key (`?uploads`) is signed as `uploads=`.
        let canonicalQuery = Self.canonicalQuery(
            url.query.map { item in
                (S3URL.encode(item.name, keepingSlash: false), S3URL.encode(item.value ?? "", keepingSlash: false))
            })
        let request = [
            method.uppercased(), url.path, canonicalQuery, canonicalHeaders + "\n", signedNames, payloadHash,
        ].joined(separator: "\n")
        let signature = sign(request, timestamp: timestamp)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(timestamp)), "
            + "SignedHeaders=\(signedNames), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// A URL that performs `method` on `url` without any header of authentication, valid for `expires` seconds
    /// from `date`; the body is unsigned. `headers` are headers the caller of the URL must send (at least none:
    /// `host` is always signed).
    public func presignedURL(
        method: String, url: S3URL, headers: [(name: String, value: String)] = [], expires: Int, date: Date
    ) -> String {
        let timestamp = Self.timestamp(date)
        let (canonicalHeaders, signedNames) = canonicalize(headers, url: url)
        var auth: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(timestamp))"),
            ("X-Amz-Date", timestamp),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedNames),
        ]
        if let token = credentials.sessionToken { auth.append(("X-Amz-Security-Token", token)) }
        // The operation's own parameters first (each once, a bare key written `key=`), then the signature's.
        var seen = Set<String>()
        var pairs: [(String, String)] = []
        for item in url.query where seen.insert(item.name).inserted {
            pairs.append((item.name, item.value ?? ""))
        }
        let encoded = (pairs + auth).map {
            (S3URL.encode($0.0, keepingSlash: false), S3URL.encode($0.1, keepingSlash: false))
        }
        let query = encoded.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let request = [
            method.uppercased(), url.path, Self.canonicalQuery(encoded), canonicalHeaders + "\n", signedNames,
            Self.unsignedPayload,
        ].joined(separator: "\n")
        let signature = sign(request, timestamp: timestamp)
        return "\(url.scheme)://\(url.authority)\(url.path)?\(query)&X-Amz-Signature=\(signature)"
    }

    /// The canonical headers block (without its final newline) and the signed header names.
    func canonicalize(_ headers: [(name: String, value: String)], url: S3URL) -> (String, String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            values[name, default: []].append(Self.foldWhitespace(header.value))
        }
        if values["host"] == nil { values["host"] = [url.hostHeader] }
        let names = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let block = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))" }.joined(separator: "\n")
        return (block, names.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ";"))
    }

    /// Encoded `name=value` pairs sorted by name, then value, joined with `&`.
    static func canonicalQuery(_ pairs: [(String, String)]) -> String {
        pairs.sorted { left, right in
            if left.0 != right.0 { return Array(left.0.utf8).lexicographicallyPrecedes(Array(right.0.utf8)) }
            return Array(left.1.utf8).lexicographicallyPrecedes(Array(right.1.utf8))
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Python's `' '.join(value.split())`: runs of whitespace become one space, none at either end.
    static func foldWhitespace(_ value: String) -> String {
        value.unicodeScalars.split { scalar in
            scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
        }.map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// `yyyymmdd/region/service/aws4_request`.
    func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// The hex signature of a canonical request.
    func sign(_ canonicalRequest: String, timestamp: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope(timestamp),
            Self.hex(Crypto.SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [String(timestamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<Crypto.SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return Self.hex(HMAC<Crypto.SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// Lower-case hex of the bytes.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hex SHA-256 of a body, for `X-Amz-Content-SHA256`.
    public static func payloadHash(_ body: some Sequence<UInt8>) -> String {
        hex(Crypto.SHA256.hash(data: Array(body)))
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)\(two(month))\(two(day))T\(two(second / 3600))\(two(second / 60 % 60))\(two(second % 60))Z"
    }
}
