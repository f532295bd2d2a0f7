import Foundation
import KaizenCore
import Testing

@testable import KaizenS3

/// Every vector of `Fixtures/sigv4-vectors.json`, which botocore signed (interop/s3/make_sigv4_vectors.py): the
/// URL KaizenS3 builds, the headers it signs and the presigned URLs it makes must match botocore's byte for byte.
struct SigV4VectorTests {
    static func vectors() throws -> [JSONValue] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/sigv4-vectors", withExtension: "json"))
        let document = try JSONValue(parsing: Array(try Data(contentsOf: url)))
        return try #require(document["vectors"]?.arrayValue)
    }

    static func pairs(_ value: JSONValue?) -> [(String, String?)] {
        (value?.arrayValue ?? []).map { pair in
            let items = pair.arrayValue ?? []
            return (items.first?.stringValue ?? "", items.count > 1 ? items[1].stringValue : nil)
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    /// The request each vector describes, built by KaizenS3.
    static func request(_ vector: JSONValue) throws -> (SigV4Signer, S3URL, [(name: String, value: String)], Date) {
        let endpoint: S3Endpoint
        if vector["style"]?.stringValue == "path" {
            let scheme = try #require(vector["scheme"]?.stringValue)
            let authority = try #require(vector["authority"]?.stringValue)
            endpoint = try #require(S3Endpoint(url: "\(scheme)://\(authority)"))
        } else {
            endpoint = .aws
        }
        let region = try #require(vector["region"]?.stringValue)
        let url = endpoint.url(
            bucket: try #require(vector["bucket"]?.stringValue), key: vector["key"]?.stringValue,
            query: pairs(vector["query"]).map { (name: $0.0, value: $0.1) }, region: region)
        let credentials = S3Credentials(
            accessKeyID: try #require(vector["access_key"]?.stringValue),
            secretAccessKey: try #require(vector["secret_key"]?.stringValue),
            sessionToken: vector["session_token"]?.stringValue)
        let headers = pairs(vector["headers"]).map { (name: $0.0, value: $0.1 ?? "") }
        let date = Date(timeIntervalSince1970: Double(try #require(vector["time"]?.int64Value)))
        return (SigV4Signer(credentials: credentials, region: region), url, headers, date)
    }

    @Test func everyVectorMatchesBotocore() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 50)
        var checked = (header: 0, presign: 0)
        for vector in vectors {
            let name = vector["name"]?.stringValue ?? "?"
            let (signer, url, headers, date) = try Self.request(vector)
            #expect(url.string == vector["url"]?.stringValue, "URL of \(name)")
            let method = try #require(vector["method"]?.stringValue)
            if vector["kind"]?.stringValue == "presign" {
                let expires = Int(try #require(vector["expires"]?.int64Value))
                let presigned = signer.presignedURL(
                    method: method, url: url, headers: headers, expires: expires, date: date)
                #expect(presigned == vector["presigned_url"]?.stringValue, "presigned URL of \(name)")
                checked.presign += 1
            } else {
                let body = Self.bytes(hex: try #require(vector["body_hex"]?.stringValue))
                let signedHash = SigV4Signer.payloadHash(body)
                #expect(signedHash == vector["payload_sha256"]?.stringValue, "payload hash of \(name)")
                let unsigned = vector["unsigned"] == .bool(true)
                let signed = signer.authorizationHeaders(
                    method: method, url: url, headers: headers,
                    payloadHash: unsigned ? SigV4Signer.unsignedPayload : signedHash, date: date)
                // The request's X-Amz-* headers after signing: its own, then what the signer added.
                var actual: [String: String] = [:]
                for header in headers where header.name.lowercased().hasPrefix("x-amz-") {
                    actual[header.name.lowercased()] = header.value
                }
                for header in signed { actual[header.name.lowercased()] = header.value }
                var expected: [String: String] = [:]
                for (key, value) in vector["expected_headers"]?.objectFields ?? [] { expected[key] = value.stringValue }
                #expect(actual == expected, "headers of \(name)")
                checked.header += 1
            }
        }
        #expect(checked.header >= 40 && checked.presign >= 20)
    }

    @Test func timestampsAreUTC() {
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 4_102_444_799.9)) == "20991231T235959Z")
    }

    @Test func headerValuesFoldWhitespaceAsPythonSplits() {
        #expect(SigV4Signer.foldWhitespace("  a \t b\n\nc  ") == "a b c")
        #expect(SigV4Signer.foldWhitespace("") == "")
    }

    @Test func keysAreEncodedLikeBotocore() {
        #expect(S3URL.encodePath("a b/c+d~e=f&g%h/é") == "a%20b/c%2Bd~e%3Df%26g%25h/%C3%A9")
        #expect(S3URL.encode("a/b", keepingSlash: false) == "a%2Fb")
    }
}
