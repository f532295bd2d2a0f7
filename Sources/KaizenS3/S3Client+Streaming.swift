/// Uploads of unknown length.
extension S3Client {
    /// The size of the parts of a streamed upload; a smaller object is stored in one PUT.
    public static let defaultPartSize = 8 * 1024 * 1024

    /// Stores the bytes of `chunks` as the object at `key`; the number of bytes stored.
    ///
    /// Bytes are gathered into parts of `partSize` (at least 5 MiB for S3): an object smaller than a part goes in one
    /// PUT, any other as a multipart upload, one part in memory at a time. The object appears whole or not at all: if `chunks`
    /// throws or the task is cancelled, the multipart upload is aborted (even under cancellation) and nothing is
    /// stored.
    public func putObject<Chunks: AsyncSequence>(
        bucket: String, key: String, from chunks: Chunks, partSize: Int = defaultPartSize, contentType: String? = nil
    ) async throws -> Int64 where Chunks.Element == [UInt8] {
        precondition(partSize > 0, "part size must be positive")
        var iterator = chunks.makeAsyncIterator()
        var part: [UInt8] = []
        part.reserveCapacity(min(partSize, 1 << 20))
        var overflow: ArraySlice<UInt8> = []
        // The first part decides: an object that ends within it is one PUT.
        while part.count < partSize, let chunk = try await iterator.next() {
            let room = partSize - part.count
            part.append(contentsOf: chunk.prefix(room))
            if chunk.count > room { overflow = chunk[room...] }
        }
        guard part.count == partSize else {
            try Task.checkCancellation()
            try await putObject(bucket: bucket, key: key, bytes: part, contentType: contentType)
            return Int64(part.count)
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key)
        do {
            let total = try await Self.uploadParts(
                first: part, overflow: overflow, rest: &iterator, partSize: partSize,
                upload: { number, bytes in
                    try await uploadPart(bucket: bucket, key: key, uploadID: uploadID, number: number, bytes: bytes)
                },
                complete: { parts in
                    try Task.checkCancellation()
                    try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
                })
            return total
        } catch {
            // A task of its own: the abort must be sent even when this task is cancelled.
            let client = self
            await Task { try? await client.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }.value
            throw error
        }
    }

    /// Sends `first`, then parts gathered from `overflow` and the rest of the chunks, then completes; the total size.
    static func uploadParts<Iterator: AsyncIteratorProtocol>(
        first: [UInt8], overflow: ArraySlice<UInt8>, rest iterator: inout Iterator, partSize: Int,
        upload: (Int, [UInt8]) async throws -> String, complete: ([CompletedPart]) async throws -> Void
    ) async throws -> Int64 where Iterator.Element == [UInt8] {
        var parts = [CompletedPart(number: 1, etag: try await upload(1, first))]
        var total = Int64(first.count)
        var part = [UInt8](overflow)
        var finished = false
        while !finished {
            while part.count < partSize {
                guard let chunk = try await iterator.next() else {
                    finished = true
                    break
                }
                part.append(contentsOf: chunk)
            }
            try Task.checkCancellation()
            // Every part but the last is exactly `partSize` (S3 wants at least 5 MiB); the last may be shorter.
            while part.count >= partSize || (finished && !part.isEmpty) {
                let count = min(part.count, partSize)
                let bytes = Array(part[..<count])
                part.removeFirst(count)
                let number = parts.count + 1
                parts.append(CompletedPart(number: number, etag: try await upload(number, bytes)))
                total += Int64(count)
            }
        }
        try await complete(parts)
        return total
    }
}
