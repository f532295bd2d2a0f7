public import KaizenArtifacts
import KaizenCore

/// Artifacts as objects under `s3://bucket/prefix`: an artifact path `a/b/c` is the key `prefix/a/b/c`, and the
/// directories are the key prefixes that a delimited listing rolls up.
///
/// Reads and range reads stream from S3; writes stream to it, one part in memory at a time, and appear whole or not
/// at all (a single PUT, or a multipart upload aborted on failure). The server's local disk is never used.
public struct S3ArtifactStore: ArtifactStore {
    /// The client that signs and sends requests.
    public let client: S3Client
    /// Bucket and key prefix.
    public let location: S3Location
    /// The size of a streamed upload's parts.
    public let partSize: Int

    /// A store for `location`, reached through `client`.
    public init(client: S3Client, location: S3Location, partSize: Int = S3Client.defaultPartSize) {
        self.client = client
        self.location = location
        self.partSize = partSize
    }

    var bucket: String { location.bucket }

    /// The key of an artifact path; the root is the prefix itself.
    func key(_ path: ArtifactPath) -> String {
        if location.prefix.isEmpty { return path.description }
        return path.isRoot ? location.prefix : location.prefix + "/" + path.description
    }

    /// The key prefix of everything inside a directory: the key and `/`, or the bare prefix for the bucket's root.
    func directoryPrefix(_ path: ArtifactPath) -> String {
        let base = key(path)
        return base.isEmpty ? "" : base + "/"
    }

    /// Whether any object lives under `path` as a directory.
    func isDirectory(_ path: ArtifactPath) async throws(KaizenError) -> Bool {
        do throws(S3Error) {
            let page = try await client.listObjects(bucket: bucket, prefix: directoryPrefix(path), maxKeys: 1)
            return !page.objects.isEmpty
        } catch {
            throw error.kaizenError
        }
    }

    /// The path of an `s3://` URI in this store's bucket, under its prefix (`s3://bucket/prefix/1/run/artifacts` is
    /// `1/run/artifacts`); nil for any other URI.
    public func path(ofURI uri: String) -> ArtifactPath? {
        guard let target = S3Location(uri: uri), target.bucket == location.bucket else { return nil }
        let rest: String
        if location.prefix.isEmpty {
            rest = target.prefix
        } else if target.prefix == location.prefix {
            rest = ""
        } else if target.prefix.hasPrefix(location.prefix + "/") {
            rest = String(target.prefix.dropFirst(location.prefix.count + 1))
        } else {
            return nil
        }
        return try? ArtifactPath(validating: rest)
    }

    /// The entries of a directory from a delimited listing, page after page, sorted by name; files with their sizes.
    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        let prefix = directoryPrefix(path)
        var entries: [String: ArtifactEntry] = [:]
        var token: String?
        repeat {
            let page: S3Listing
            do throws(S3Error) {
                page = try await client.listObjects(
                    bucket: bucket, prefix: prefix, delimiter: "/", continuationToken: token)
            } catch {
                throw error.kaizenError
            }
            for object in page.objects {
                let name = String(object.key.dropFirst(prefix.count))
                // A zero-byte `dir/` marker (as consoles create) is the directory itself, not an entry.
                guard !name.isEmpty else { continue }
                entries[name] = ArtifactEntry(name: name, isDirectory: false, size: object.size)
            }
            for common in page.commonPrefixes {
                let name = String(common.dropFirst(prefix.count).dropLast())
                guard !name.isEmpty, entries[name] == nil else { continue }
                entries[name] = ArtifactEntry(name: name, isDirectory: true, size: nil)
            }
            token = page.nextContinuationToken
        } while token != nil
        return entries.values.sorted { $0.name < $1.name }
    }

    /// Starts the download of an object; a missing key that is a directory is refused as one, before any byte.
    public func read(_ path: ArtifactPath) async throws -> ArtifactContent {
        let object = try await open(path, range: nil)
        return ArtifactContent(size: object.contentLength, chunks: object.chunks)
    }

    /// Downloads only the bytes `range` (an HTTP range request to S3).
    public func read(_ path: ArtifactPath, range: ClosedRange<Int64>) async throws -> ArtifactContent {
        let object = try await open(path, range: range)
        return ArtifactContent(size: object.contentLength, chunks: object.chunks)
    }

    func open(_ path: ArtifactPath, range: ClosedRange<Int64>?) async throws(KaizenError) -> S3Object {
        guard !path.isRoot else { throw KaizenError.notFound("No such artifact: '\(path)'") }
        do throws(S3Error) {
            return try await client.getObject(bucket: bucket, key: key(path), range: range)
        } catch  where error.isNotFound {
            if try await isDirectory(path) {
                throw KaizenError.invalidParameter("Artifact path refers to a directory")
            }
            throw KaizenError.notFound("No such artifact: '\(path)'")
        } catch {
            throw error.kaizenError
        }
    }

    /// Streams `chunks` to the object: one PUT when it fits in a part, a multipart upload (aborted on failure or
    /// cancellation) otherwise. A path that is a directory is refused first.
    ///
    /// Unlike a folder, a bucket cannot stop a key from being both a file and a prefix, so a parent that is a file
    /// is not checked; it would cost a request per ancestor.
    public func write<Chunks: AsyncSequence & Sendable>(
        _ path: ArtifactPath, from chunks: Chunks
    ) async throws -> Int64 where Chunks.Element == [UInt8] {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        if try await isDirectory(path) { throw KaizenError.invalidParameter("Artifact path refers to a directory") }
        do {
            return try await client.putObject(bucket: bucket, key: key(path), from: chunks, partSize: partSize)
        } catch let error as S3Error {
            throw error.kaizenError
        }
    }

    /// Deletes the object at `path` and every object under it, 1,000 keys a request.
    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw KaizenError.invalidParameter("Refusing to delete the artifact root") }
        do throws(S3Error) {
            try await client.deleteObject(bucket: bucket, key: key(path))
            let prefix = directoryPrefix(path)
            var token: String?
            repeat {
                // Listing and deleting page by page: the next page's token stays valid while keys go.
                let page = try await client.listObjects(bucket: bucket, prefix: prefix, continuationToken: token)
                try await client.deleteObjects(bucket: bucket, keys: page.objects.map(\.key))
                token = page.nextContinuationToken
            } while token != nil
        } catch {
            throw error.kaizenError
        }
    }
}

extension S3ArtifactStore: MultipartArtifactStore {
    /// The largest part count S3 accepts.
    static let maximumParts = 10_000

    /// Starts an S3 multipart upload and presigns one UploadPart URL per part.
    public func createMultipartUpload(_ path: ArtifactPath, parts: Int) async throws -> MultipartUpload {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        guard (1...Self.maximumParts).contains(parts) else {
            throw KaizenError.invalidParameter("num_parts must be between 1 and \(Self.maximumParts), got \(parts)")
        }
        let objectKey = key(path)
        let uploadID: String
        do throws(S3Error) {
            uploadID = try await client.createMultipartUpload(bucket: bucket, key: objectKey)
        } catch {
            throw error.kaizenError
        }
        let credentials = (1...parts).map { number in
            MultipartUpload.Credential(
                partNumber: number,
                url: client.presignedUploadPartURL(bucket: bucket, key: objectKey, uploadID: uploadID, number: number))
        }
        return MultipartUpload(uploadID: uploadID, credentials: credentials)
    }

    /// Completes the upload from the parts' ETags; S3 checks each one.
    public func completeMultipartUpload(
        _ path: ArtifactPath, uploadID: String, parts: [MultipartUploadPart]
    ) async throws {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        guard !parts.isEmpty else { throw KaizenError.invalidParameter("A multipart upload needs at least one part") }
        do throws(S3Error) {
            try await client.completeMultipartUpload(
                bucket: bucket, key: key(path), uploadID: uploadID,
                parts: parts.map { S3Client.CompletedPart(number: $0.partNumber, etag: $0.etag) })
        } catch {
            throw error.kaizenError
        }
    }

    /// Aborts the upload; S3 discards its parts.
    public func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        do throws(S3Error) {
            try await client.abortMultipartUpload(bucket: bucket, key: key(path), uploadID: uploadID)
        } catch {
            throw error.kaizenError
        }
    }
}
