import Foundation
import KaizenArtifacts
import KaizenCore
import Testing

/// `read(_:range:)`: a folder seeks to the range; the protocol's default reads from the start and cuts the chunks.
struct ArtifactRangeTests {
    /// A store that forwards everything but range reads, so the protocol's default answers those.
    struct PlainStore: ArtifactStore {
        let base: LocalArtifactStore

        func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] { try await base.list(path) }
        func read(_ path: ArtifactPath) async throws -> ArtifactContent { try await base.read(path) }
        func write<Chunks: AsyncSequence & Sendable>(_ path: ArtifactPath, from chunks: Chunks) async throws -> Int64
        where Chunks.Element == [UInt8] { try await base.write(path, from: chunks) }
        func delete(_ path: ArtifactPath) async throws { try await base.delete(path) }
    }

    static func bytes(of content: ArtifactContent) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in content { bytes += chunk }
        return bytes
    }

    @Test func rangesAcrossChunksFromBothImplementations() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-range-\(UUID())").path
        let local = try LocalArtifactStore(root: root)
        // Three and a bit of the folder's 64 KiB chunks.
        let data = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let path = try ArtifactPath(validating: "m/model.bin")
        _ = try await local.write(
            path,
            from: AsyncStream { continuation in
                continuation.yield(data)
                continuation.finish()
            })
        let stores: [any ArtifactStore] = [local, PlainStore(base: local)]
        for store in stores {
            for range: ClosedRange<Int64> in [0...0, 0...99, 65_530...131_080, 131_072...131_072, 199_990...199_999] {
                let content = try await store.read(path, range: range)
                #expect(content.size == range.upperBound - range.lowerBound + 1)
                #expect(
                    try await Self.bytes(of: content) == Array(data[Int(range.lowerBound)...Int(range.upperBound)]),
                    "\(type(of: store)) \(range)")
            }
            await #expect(throws: KaizenError.self) {
                _ = try await store.read(try ArtifactPath(validating: "m/missing.bin"), range: 0...1)
            }
            await #expect(throws: KaizenError.self) {
                _ = try await store.read(try ArtifactPath(validating: "m"), range: 0...1)
            }
        }
        await #expect(throws: KaizenError.self) { _ = try await local.read(path, range: 199_999...200_000) }
    }
}
