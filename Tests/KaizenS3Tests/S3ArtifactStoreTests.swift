import AsyncHTTPClient
import Foundation
import KaizenArtifacts
import KaizenCore
import NIOCore
import NIOHTTP1
import Testing

@testable import KaizenS3

/// `S3ArtifactStore` against a real S3 API (moto): the `ArtifactStore` contract as `LocalArtifactStore` keeps it.
@Suite(.enabled(if: MotoServer.enabled, MotoServer.skipReason))
struct S3ArtifactStoreTests {
    static let partSize = 5 * 1024 * 1024

    static func store(prefix: String = "root/artifacts") async throws -> S3ArtifactStore {
        let (client, bucket) = try await MotoServer.client()
        return S3ArtifactStore(
            client: client, location: try #require(S3Location(uri: "s3://\(bucket)/\(prefix)")), partSize: partSize)
    }

    static func path(_ text: String) throws -> ArtifactPath {
        try ArtifactPath(validating: text)
    }

    static func write(_ store: S3ArtifactStore, _ path: String, _ text: String) async throws {
        _ = try await store.write(try Self.path(path), from: TestChunks(chunks: [Array(text.utf8)]))
    }

    static func readAll(_ content: ArtifactContent) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in content { bytes += chunk }
        return bytes
    }

    @Test func writeListReadAndDelete() async throws {
        let store = try await Self.store()
        try await Self.write(store, "1/run/artifacts/notes.txt", "hello")
        try await Self.write(store, "1/run/artifacts/cfg/a b+c é.json", "{}")
        try await Self.write(store, "1/run/artifacts/cfg/deep/x.bin", "xyz")
        try await Self.write(store, "1/run/artifacts/empty.txt", "")
        let listing = try await store.list(try Self.path("1/run/artifacts"))
        #expect(
            listing == [
                ArtifactEntry(name: "cfg", isDirectory: true, size: nil),
                ArtifactEntry(name: "empty.txt", isDirectory: false, size: 0),
                ArtifactEntry(name: "notes.txt", isDirectory: false, size: 5),
            ])
        #expect(
            try await store.list(try Self.path("1/run/artifacts/cfg")) == [
                ArtifactEntry(name: "a b+c é.json", isDirectory: false, size: 2),
                ArtifactEntry(name: "deep", isDirectory: true, size: nil),
            ])
        #expect(try await store.list(try Self.path("")) == [ArtifactEntry(name: "1", isDirectory: true, size: nil)])
        #expect(try await store.list(try Self.path("1/run/artifacts/notes.txt")) == [])
        #expect(try await store.list(try Self.path("nothing/here")) == [])

        let head = try await store.client.headObject(
            bucket: store.bucket, key: store.key(try Self.path("1/run/artifacts/notes.txt")))
        #expect(head?.size == 5)
        #expect(head?.etag.hasPrefix("\"") == true)
        #expect(try await store.client.headObject(bucket: store.bucket, key: "root/artifacts/none") == nil)
        let content = try await store.read(try Self.path("1/run/artifacts/cfg/a b+c é.json"))
        #expect(content.size == 2)
        #expect(try await Self.readAll(content) == Array("{}".utf8))
        #expect(try await Self.readAll(try await store.read(try Self.path("1/run/artifacts/empty.txt"))) == [])

        try await store.delete(try Self.path("1/run/artifacts/cfg"))
        #expect(try await store.list(try Self.path("1/run/artifacts")).map(\.name) == ["empty.txt", "notes.txt"])
        try await store.delete(try Self.path("1/run/artifacts/notes.txt"))
        try await store.delete(try Self.path("1/run/artifacts/never-was"))
        #expect(try await store.list(try Self.path("1/run/artifacts")).map(\.name) == ["empty.txt"])
        await #expect(throws: KaizenError.self) { try await store.delete(try Self.path("")) }
    }

    @Test func missingFilesAndDirectoriesFailBeforeAnyByte() async throws {
        let store = try await Self.store()
        try await Self.write(store, "a/b/c.txt", "c")
        await #expect(throws: KaizenError.notFound("No such artifact: 'a/missing.txt'")) {
            _ = try await store.read(try Self.path("a/missing.txt"))
        }
        await #expect(throws: KaizenError.invalidParameter("Artifact path refers to a directory")) {
            _ = try await store.read(try Self.path("a/b"))
        }
        await #expect(throws: KaizenError.invalidParameter("Artifact path refers to a directory")) {
            _ = try await store.write(try Self.path("a/b"), from: TestChunks(chunks: [[1]]))
        }
        await #expect(throws: KaizenError.self) { _ = try await store.read(try Self.path("")) }
    }

    @Test func largeWritesStreamAsMultipartAndRangesReadOnlyTheirBytes() async throws {
        let store = try await Self.store()
        let (chunks, bytes) = TestChunks.random(total: 2 * Self.partSize + 123_457, seed: 7)
        let path = try Self.path("big/model.onnx")
        #expect(try await store.write(path, from: chunks) == Int64(bytes.count))
        let content = try await store.read(path)
        #expect(content.size == Int64(bytes.count))
        #expect(try await Self.readAll(content) == bytes)
        let middle = try await store.read(path, range: 5_000_000...5_300_000)
        #expect(middle.size == 300_001)
        #expect(try await Self.readAll(middle) == Array(bytes[5_000_000...5_300_000]))
        let tail = try await store.read(path, range: Int64(bytes.count - 10)...Int64(bytes.count - 1))
        #expect(try await Self.readAll(tail) == Array(bytes[(bytes.count - 10)...]))
        #expect(
            try await store.list(try Self.path("big")) == [
                ArtifactEntry(name: "model.onnx", isDirectory: false, size: Int64(bytes.count))
            ])
        #expect(try await store.client.multipartUploadsInProgress(bucket: store.bucket, prefix: "") == [])
    }

    @Test func aFailedUploadLeavesThePreviousFileAndNoParts() async throws {
        let store = try await Self.store()
        try await Self.write(store, "m/weights.bin", "old")
        let (chunks, _) = TestChunks.random(total: 3 * Self.partSize, seed: 11)
        var failing = chunks
        failing.failAfter = chunks.chunks.count - 2
        await #expect(throws: TestChunks.Planted.self) {
            _ = try await store.write(try Self.path("m/weights.bin"), from: failing)
        }
        #expect(try await Self.readAll(try await store.read(try Self.path("m/weights.bin"))) == Array("old".utf8))
        #expect(try await store.client.multipartUploadsInProgress(bucket: store.bucket, prefix: "") == [])
        var small = TestChunks(chunks: [[1, 2, 3], [4]])
        small.failAfter = 1
        await #expect(throws: TestChunks.Planted.self) {
            _ = try await store.write(try Self.path("m/new.bin"), from: small)
        }
        await #expect(throws: KaizenError.self) { _ = try await store.read(try Self.path("m/new.bin")) }
    }

    /// Downloads nobody reads yet hold their connections; other requests still get through.
    @Test(.timeLimit(.minutes(1))) func slowDownloadsDoNotBlockOtherRequests() async throws {
        let store = try await Self.store()
        let (chunks, bytes) = TestChunks.random(total: 2 * 1024 * 1024, seed: 5)
        _ = try await store.write(try Self.path("big.bin"), from: chunks)
        var held: [ArtifactContent] = []
        for _ in 0..<12 { held.append(try await store.read(try Self.path("big.bin"))) }
        #expect(try await store.list(try Self.path("")).map(\.name) == ["big.bin"])
        #expect(try await Self.readAll(held[11]) == bytes)
    }

    @Test func storedContentEncodingIsServedAsStored() async throws {
        let store = try await Self.store()
        // Not gzip at all: a client that decompressed would fail, one that did not returns the bytes.
        let bytes = Array("stored as sent, not gzip".utf8)
        _ = try await store.client.send(
            .PUT, bucket: store.bucket, key: store.key(try Self.path("f.gz")), headers: [("Content-Encoding", "gzip")],
            payload: .bytes(bytes))
        let content = try await store.read(try Self.path("f.gz"))
        #expect(content.size == Int64(bytes.count))
        #expect(try await Self.readAll(content) == bytes)
    }

    @Test func prefixDeletesPageThroughManyKeys() async throws {
        let store = try await Self.store(prefix: "")
        for index in 0..<25 { try await Self.write(store, "tree/\(index / 10)/f\(index).txt", "\(index)") }
        try await Self.write(store, "treehouse.txt", "stays")
        let page = try await store.client.listObjects(bucket: store.bucket, prefix: "tree/", maxKeys: 10)
        #expect(page.objects.count == 10)
        #expect(page.nextContinuationToken != nil)
        let next = try await store.client.listObjects(
            bucket: store.bucket, prefix: "tree/", continuationToken: page.nextContinuationToken)
        #expect(next.objects.count == 15)
        try await store.delete(try Self.path("tree"))
        #expect(
            try await store.list(try Self.path("")) == [
                ArtifactEntry(name: "treehouse.txt", isDirectory: false, size: 5)
            ])
    }

    @Test func multipartUploadThroughPresignedURLs() async throws {
        let store = try await Self.store()
        let path = try Self.path("1/run/artifacts/large.bin")
        let (_, bytes) = TestChunks.random(total: Self.partSize + 1000, seed: 3)
        let upload = try await store.createMultipartUpload(path, parts: 2)
        #expect(upload.credentials.map(\.partNumber) == [1, 2])
        var parts: [MultipartUploadPart] = []
        for (credential, slice) in zip(upload.credentials, [bytes[..<Self.partSize], bytes[Self.partSize...]]) {
            // The client's side: a plain PUT with no credentials of its own.
            var request = HTTPClientRequest(url: credential.url)
            request.method = .PUT
            request.body = .bytes(ByteBuffer(bytes: slice))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)
            parts.append(
                MultipartUploadPart(partNumber: credential.partNumber, etag: response.headers.first(name: "ETag") ?? "")
            )
        }
        try await store.completeMultipartUpload(path, uploadID: upload.uploadID, parts: parts)
        #expect(try await Self.readAll(try await store.read(path)) == bytes)

        let abandoned = try await store.createMultipartUpload(try Self.path("1/run/artifacts/gone.bin"), parts: 1)
        #expect(try await store.client.multipartUploadsInProgress(bucket: store.bucket, prefix: "").count == 1)
        try await store.abortMultipartUpload(try Self.path("1/run/artifacts/gone.bin"), uploadID: abandoned.uploadID)
        #expect(try await store.client.multipartUploadsInProgress(bucket: store.bucket, prefix: "") == [])
        await #expect(throws: KaizenError.self) {
            try await store.completeMultipartUpload(
                try Self.path("1/run/artifacts/gone.bin"), uploadID: abandoned.uploadID,
                parts: [MultipartUploadPart(partNumber: 1, etag: "\"x\"")])
        }
        await #expect(throws: KaizenError.self) { _ = try await store.createMultipartUpload(path, parts: 0) }
    }

    @Test func aMissingBucketIsAnS3Error() async throws {
        let (client, bucket) = try await MotoServer.client()
        await #expect {
            _ = try await client.getObject(bucket: bucket + "-missing", key: "k")
        } throws: { error in
            (error as? S3Error)?.code == "NoSuchBucket"
        }
        // Through the store, a missing bucket is the server's misconfiguration (500), not a missing artifact (404).
        let store = S3ArtifactStore(client: client, location: try #require(S3Location(uri: "s3://\(bucket)-missing/p")))
        await #expect(throws: KaizenError.self) { _ = try await store.list(try Self.path("")) }
        do {
            _ = try await store.read(try Self.path("a.txt"))
            Issue.record("read from a missing bucket succeeded")
        } catch let error as KaizenError {
            #expect(error.code == .internalError)
            #expect(error.message.contains("NoSuchBucket"))
        }
    }
}
