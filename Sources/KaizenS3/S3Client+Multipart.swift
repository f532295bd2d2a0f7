import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// S3's multipart uploads: one object sent as numbered parts, then assembled by `CompleteMultipartUpload`.
extension S3Client {
    /// A part that S3 has stored: its number and the ETag S3 answered with.
    public struct CompletedPart: Sendable, Equatable {
        /// From 1 to 10,000.
        public var number: Int
        /// The ETag of the part's upload, quotes included.
        public var etag: String

        public init(number: Int, etag: String) {
            self.number = number
            self.etag = etag
        }
    }

    /// Starts a multipart upload to `key`; its upload id.
    public func createMultipartUpload(bucket: String, key: String) async throws(S3Error) -> String {
        let response = try await send(
            .POST, bucket: bucket, key: key, query: [("uploads", nil)],
            headers: [("Content-Type", "application/octet-stream")])
        let result = try await document(response, resource: "s3://\(bucket)/\(key)")
        guard let uploadID = result.text(of: "UploadId"), !uploadID.isEmpty else {
            throw S3Error(
                code: "MalformedAnswer", message: "CreateMultipartUpload answered no UploadId", status: 200,
                resource: "s3://\(bucket)/\(key)")
        }
        return uploadID
    }

    /// Stores one part of an upload; its ETag.
    public func uploadPart(
        bucket: String, key: String, uploadID: String, number: Int, bytes: [UInt8]
    ) async throws(S3Error) -> String {
        let response = try await send(
            .PUT, bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            payload: .bytes(bytes))
        return response.headers.first(name: "ETag") ?? ""
    }

    /// A URL that stores part `number` of an upload when the bytes are PUT to it, with no other credentials.
    public func presignedUploadPartURL(bucket: String, key: String, uploadID: String, number: Int) -> String {
        signer.presignedURL(
            method: "PUT",
            url: url(bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)]),
            expires: configuration.presignedURLExpiry, date: Date())
    }

    /// Assembles the parts into the object; S3 checks every ETag.
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: String, parts: [CompletedPart]
    ) async throws(S3Error) {
        var body = "<CompleteMultipartUpload>"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            body +=
                "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(XMLByteParser.escape(part.etag))</ETag></Part>"
        }
        body += "</CompleteMultipartUpload>"
        let response = try await send(
            .POST, bucket: bucket, key: key, query: [("uploadId", uploadID)],
            headers: [("Content-Type", "application/xml")], payload: .bytes(Array(body.utf8)))
        _ = try await document(response, resource: "s3://\(bucket)/\(key)")
    }

    /// Discards an upload and its parts; an upload S3 no longer knows is not an error.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws(S3Error) {
        _ = try await send(.DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)], accepting: [404])
    }
}
