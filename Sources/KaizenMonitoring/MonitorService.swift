public import KaizenArtifacts
public import KaizenCore

/// Monitoring's domain operations on the control plane: receiving the inference log's segments from replicas and
/// reading windows of it back.
public struct MonitorService: Sendable {
    public let store: any MonitorStore
    public let artifacts: any ArtifactStore
    /// The largest compressed segment accepted; replicas close theirs far below it.
    public static let maximumSegmentBytes = 64 << 20
    /// The most bytes a segment may decompress to.
    public static let maximumSegmentText = 512 << 20

    public init(store: any MonitorStore, artifacts: any ArtifactStore) {
        self.store = store
        self.artifacts = artifacts
    }

    /// Keeps a segment a replica sent: checks its description, checks that the bytes are whole gzip data holding
    /// exactly `records` JSON lines, stores the bytes, then records the segment. A segment already recorded is
    /// acknowledged again and left as it is, so a replica can resend until it hears back. Nothing is recorded unless
    /// its bytes are stored whole.
    public func receive(
        _ segment: InferenceSegment, compressed: [UInt8], now: Int64 = currentTimeMillis()
    ) async throws -> (segment: InferenceSegment, stored: Bool) {
        try segment.validate()
        if let known = try await store.segment(
            endpoint: segment.endpoint, replicaID: segment.replicaID, sequence: segment.sequence)
        {
            return (known, false)
        }
        guard compressed.count <= Self.maximumSegmentBytes else {
            throw KaizenError.invalidParameter("A segment is at most \(Self.maximumSegmentBytes) compressed bytes")
        }
        let text = try GzipDecompressor.decompress(
            compressed, limit: Self.maximumSegmentText, source: "The segment's body")
        let lines = text.count { $0 == 0x0A }
        guard lines == segment.records, text.last == 0x0A else {
            throw KaizenError.invalidParameter(
                "The segment's body holds \(lines) complete lines; its description says \(segment.records)")
        }
        var kept = segment
        kept.bytes = Int64(compressed.count)
        kept.receivedAt = now
        let path = try ArtifactPath(validating: kept.path)
        _ = try await artifacts.write(
            path,
            from: AsyncStream { continuation in
                continuation.yield(compressed)
                continuation.finish()
            })
        let added = try await store.addSegment(kept)
        return (kept, added)
    }

    /// The endpoint's segments with a record in `[from, to)`.
    public func segments(endpoint: String, from: Int64?, to: Int64?) async throws -> [InferenceSegment] {
        try ResourceName.validate(endpoint, field: "endpoint")
        return try await store.segments(endpoint: endpoint, from: from, to: to)
    }

    /// The JSON lines of a stored segment, decompressed.
    public func lines(of segment: InferenceSegment) async throws -> [UInt8] {
        var compressed: [UInt8] = []
        for try await chunk in try await artifacts.read(try ArtifactPath(validating: segment.path)) {
            compressed += chunk
            guard compressed.count <= Self.maximumSegmentBytes else {
                throw KaizenError(.internalError, "The stored segment \(segment.path) is larger than a segment can be")
            }
        }
        return try GzipDecompressor.decompress(
            compressed, limit: Self.maximumSegmentText, source: "The stored segment \(segment.path)")
    }
}
