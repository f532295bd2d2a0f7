public import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// S3's object API over async-http-client, every request signed with `SigV4Signer`.
///
/// Bodies stream: downloads are handed over as they arrive, and `putObject(bucket:key:from:)` holds at most one
/// part in memory. The operations are the ones an artifact store needs, and the multipart ones MLflow's client
/// drives through presigned part URLs.
public struct S3Client: Sendable {
    /// Endpoint, region and credentials.
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer

    /// How long a request may take until S3's answer begins (an upload's whole body is sent before that).
    static let requestTimeout: TimeAmount = .minutes(10)
    /// The largest error or listing document read into memory.
    static let documentLimit = 16 * 1024 * 1024

    /// A client for `configuration`, on `defaultHTTPClient` unless another is given.
    public init(configuration: S3Configuration, httpClient: HTTPClient = S3Client.defaultHTTPClient) {
        self.configuration = configuration
        self.http = httpClient
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// The HTTP client of every `S3Client` not given one, alive as long as the process (as `HTTPClient.shared` is).
    ///
    /// Unlike the shared client it never decompresses an answer (an object stored with `Content-Encoding: gzip` is
    /// served as stored, as boto3 serves it, and its length stays the one S3 announced) and never follows a
    /// redirect (a request is signed for one host; S3's redirect becomes an error naming the right region). A
    /// download holds its connection while the client reading it is slow, so the pool allows far more than the
    /// usual 8 connections: a few slow downloads must not queue every other request behind them (until it times
    /// out, as it did with 8).
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .minutes(5)),
            decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The URL of a bucket or an object.
    func url(bucket: String, key: String?, query: [(name: String, value: String?)] = []) -> S3URL {
        configuration.endpoint.url(bucket: bucket, key: key, query: query, region: configuration.region)
    }

    /// A body to send: bytes in memory, whose SHA-256 is signed, or nothing.
    enum Payload {
        case empty
        case bytes([UInt8])
    }

    /// Sends one signed request and returns S3's answer once its head has arrived; any status outside 200...299
    /// (and `accepting`) is read as S3's error document and thrown as `S3Error`.
    func send(
        _ method: HTTPMethod, bucket: String, key: String?, query: [(name: String, value: String?)] = [],
        headers: [(name: String, value: String)] = [], payload: Payload = .empty, accepting: Set<Int> = []
    ) async throws(S3Error) -> HTTPClientResponse {
        let target = url(bucket: bucket, key: key, query: query)
        let resource = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        var request = HTTPClientRequest(url: target.string)
        request.method = method
        let payloadHash: String
        switch payload {
        case .empty:
            payloadHash = SigV4Signer.emptyPayloadHash
        case .bytes(let bytes):
            payloadHash = SigV4Signer.payloadHash(bytes)
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let signed = signer.authorizationHeaders(
            method: method.rawValue, url: target, headers: headers, payloadHash: payloadHash, date: Date())
        for header in headers + signed { request.headers.add(name: header.name, value: header.value) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: Self.requestTimeout)
        } catch {
            throw S3Error(code: "RequestFailed", message: "\(error)", status: 0, resource: resource)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) || accepting.contains(status) else {
            let body = (try? await Self.collect(response, resource: resource)) ?? []
            throw S3Error.from(status: status, body: body, resource: resource)
        }
        return response
    }

    /// The whole body of a small answer (an XML document).
    static func collect(_ response: HTTPClientResponse, resource: String) async throws(S3Error) -> [UInt8] {
        do {
            return [UInt8](buffer: try await response.body.collect(upTo: documentLimit))
        } catch {
            throw S3Error(code: "RequestFailed", message: "reading the answer: \(error)", status: 0, resource: resource)
        }
    }

    /// The XML document of a successful answer; S3 may answer 200 with an `<Error>` document (CompleteMultipartUpload
    /// does), which is thrown.
    func document(_ response: HTTPClientResponse, resource: String) async throws(S3Error) -> XMLElement {
        let body = try await Self.collect(response, resource: resource)
        guard let document = XMLElement.parse(body) else {
            throw S3Error(
                code: "MalformedAnswer", message: "S3's answer is not XML", status: Int(response.status.code),
                resource: resource)
        }
        if document.name == "Error" {
            throw S3Error.from(status: Int(response.status.code), body: body, resource: resource)
        }
        return document
    }

    // MARK: Objects

    /// Stores `bytes` as the object at `key` in one request; returns its ETag.
    @discardableResult
    public func putObject(
        bucket: String, key: String, bytes: [UInt8], contentType: String? = nil
    ) async throws(S3Error) -> String {
        let headers = contentType.map { [(name: "Content-Type", value: $0)] } ?? []
        let response = try await send(.PUT, bucket: bucket, key: key, headers: headers, payload: .bytes(bytes))
        return response.headers.first(name: "ETag") ?? ""
    }

    /// An object's size, ETag and content type; nil when there is no object at `key`.
    public func headObject(bucket: String, key: String) async throws(S3Error) -> S3ObjectHead? {
        let response = try await send(.HEAD, bucket: bucket, key: key, accepting: [404])
        guard response.status != .notFound else { return nil }
        return S3ObjectHead(response.headers)
    }

    /// Starts downloading an object, or the bytes `range` of it (inclusive, as HTTP ranges are), and returns once
    /// S3 has answered: a missing object throws `NoSuchKey` before any byte.
    public func getObject(
        bucket: String, key: String, range: ClosedRange<Int64>? = nil
    ) async throws(S3Error) -> S3Object {
        let headers = range.map { [(name: "Range", value: "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try await send(.GET, bucket: bucket, key: key, headers: headers)
        return S3Object(response)
    }

    /// Deletes one object; a missing one is not an error.
    public func deleteObject(bucket: String, key: String) async throws(S3Error) {
        _ = try await send(.DELETE, bucket: bucket, key: key, accepting: [404])
    }

    /// Deletes up to 1,000 objects in one request (S3's DeleteObjects); a key that failed is thrown.
    public func deleteObjects(bucket: String, keys: [String]) async throws(S3Error) {
        guard !keys.isEmpty else { return }
        precondition(keys.count <= 1000, "DeleteObjects takes at most 1,000 keys")
        var body = "<Delete><Quiet>true</Quiet>"
        for key in keys { body += "<Object><Key>\(XMLByteParser.escape(key))</Key></Object>" }
        body += "</Delete>"
        let bytes = Array(body.utf8)
        let md5 = Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
        let resource = "s3://\(bucket)"
        let response = try await send(
            .POST, bucket: bucket, key: nil, query: [("delete", nil)],
            headers: [("Content-Type", "application/xml"), ("Content-MD5", md5)], payload: .bytes(bytes))
        let result = try await document(response, resource: resource)
        if let failure = result.child("Error") {
            throw S3Error(
                code: failure.text(of: "Code") ?? "DeleteFailed", message: failure.text(of: "Message") ?? "",
                status: 200, resource: "s3://\(bucket)/\(failure.text(of: "Key") ?? "")")
        }
    }

    /// One page of the keys under `prefix`: with a `delimiter`, keys that go on past it are rolled up into common
    /// prefixes. `continuationToken` is the previous page's `nextContinuationToken`.
    public func listObjects(
        bucket: String, prefix: String, delimiter: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws(S3Error) -> S3Listing {
        var query: [(name: String, value: String?)] = [("list-type", "2"), ("prefix", prefix)]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await send(.GET, bucket: bucket, key: nil, query: query)
        return S3Listing(try await document(response, resource: "s3://\(bucket)/\(prefix)"))
    }
}

/// What HeadObject tells about an object.
public struct S3ObjectHead: Sendable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// The ETag, quotes included.
    public var etag: String
    /// The stored content type.
    public var contentType: String?

    init(_ headers: HTTPHeaders) {
        size = headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        etag = headers.first(name: "ETag") ?? ""
        contentType = headers.first(name: "Content-Type")
    }
}

/// An object being downloaded: its length and its bytes as they arrive.
public struct S3Object: Sendable {
    /// The number of bytes the answer carries (the range's length for a range).
    public let contentLength: Int64?
    /// The whole object's size: from `Content-Range` for a range, else the content length.
    public let size: Int64?
    /// The bytes, read from the connection as they are iterated; dropping them closes the download.
    public let chunks: S3Chunks

    init(_ response: HTTPClientResponse) {
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        contentLength = length
        if let range = response.headers.first(name: "Content-Range"), let slash = range.lastIndex(of: "/") {
            size = Int64(range[range.index(after: slash)...])
        } else {
            size = length
        }
        chunks = S3Chunks(body: response.body)
    }
}

/// An HTTP answer's body as `[UInt8]` chunks.
public struct S3Chunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let body: HTTPClientResponse.Body

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: body.makeAsyncIterator())
    }

    /// Reads the chunks of an `S3Chunks`.
    public struct Iterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator

        public mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            return [UInt8](buffer: buffer)
        }
    }
}

extension S3Client {
    /// Creates a bucket in the client's region (tests and first-run set-up); one that exists and is ours is fine.
    public func createBucket(_ bucket: String) async throws(S3Error) {
        var body: [UInt8]? = nil
        if configuration.region != "us-east-1" {
            body = Array(
                ("<CreateBucketConfiguration><LocationConstraint>\(configuration.region)</LocationConstraint>"
                    + "</CreateBucketConfiguration>").utf8)
        }
        do throws(S3Error) {
            _ = try await send(.PUT, bucket: bucket, key: nil, payload: body.map { Payload.bytes($0) } ?? Payload.empty)
        } catch  where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// The keys of the multipart uploads in progress under `prefix`.
    public func multipartUploadsInProgress(bucket: String, prefix: String) async throws(S3Error) -> [String] {
        let response = try await send(.GET, bucket: bucket, key: nil, query: [("prefix", prefix), ("uploads", nil)])
        let result = try await document(response, resource: "s3://\(bucket)/\(prefix)")
        return result.children(named: "Upload").compactMap { $0.text(of: "Key") }
    }
}
