import Foundation
import KaizenArtifacts
import KaizenCore
import Testing

struct LocalArtifactStoreTests {
    /// A fresh artifact root, and beside it a folder outside the root holding `secret.txt`.
    struct Fixture {
        let root: String
        let outside: String
        let store: LocalArtifactStore

        init() throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-art-\(UUID().uuidString)")
            root = base.path + "/root"
            outside = base.path + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
            store = try LocalArtifactStore(root: root)
        }

        @discardableResult
        func write(_ path: String, _ chunks: [[UInt8]], failing error: (any Error)? = nil) async throws -> Int64 {
            let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish(throwing: error)
            }
            return try await store.write(try ArtifactPath(validating: path), from: stream)
        }

        @discardableResult
        func write(_ path: String, _ text: String) async throws -> Int64 {
            try await write(path, [Array(text.utf8)])
        }

        func chunks(_ path: String) async throws -> [[UInt8]] {
            var chunks: [[UInt8]] = []
            for try await chunk in try await store.read(try ArtifactPath(validating: path)) { chunks.append(chunk) }
            return chunks
        }

        func text(_ path: String) async throws -> String {
            String(decoding: try await chunks(path).joined(), as: UTF8.self)
        }

        func list(_ path: String) async throws -> [ArtifactEntry] {
            try await store.list(try ArtifactPath(validating: path))
        }

        /// Names in a real folder, hidden ones included.
        func contents(of folder: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).sorted()
        }

        var secretIsIntact: Bool {
            (try? String(contentsOfFile: outside + "/secret.txt", encoding: .utf8)) == "secret"
                && (try? FileManager.default.contentsOfDirectory(atPath: outside)) == ["secret.txt"]
        }
    }

    /// 200,003 bytes that differ from one 64 KiB chunk to the next, so a dropped or repeated chunk shows.
    static let large = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 16) }

    @Test func largeFileRoundTripsInChunks() async throws {
        let fixture = try Fixture()
        // Uneven source chunks, an empty one among them.
        var source = stride(from: 0, to: Self.large.count, by: 10_007).map {
            Array(Self.large[$0..<min($0 + 10_007, Self.large.count)])
        }
        source.insert([], at: 3)
        #expect(try await fixture.write("1/run/artifacts/model.bin", source) == 200_003)
        let content = try await fixture.store.read(try ArtifactPath(validating: "1/run/artifacts/model.bin"))
        #expect(content.size == 200_003)
        var chunks: [[UInt8]] = []
        for try await chunk in content { chunks.append(chunk) }
        #expect(chunks.count == 4)
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= 64 * 1024 })
        #expect(Array(chunks.joined()) == Self.large)
    }

    @Test func emptyFileRoundTrips() async throws {
        let fixture = try Fixture()
        #expect(try await fixture.write("empty.txt", []) == 0)
        #expect(try await fixture.store.read(try ArtifactPath(validating: "empty.txt")).size == 0)
        #expect(try await fixture.chunks("empty.txt") == [])
        #expect(try await fixture.list("") == [ArtifactEntry(name: "empty.txt", isDirectory: false, size: 0)])
    }

    @Test func writeReplacesAFile() async throws {
        let fixture = try Fixture()
        try await fixture.write("a/b.txt", "first version")
        try await fixture.write("a/b.txt", "second")
        #expect(try await fixture.text("a/b.txt") == "second")
        #expect(try fixture.contents(of: "a") == ["b.txt"])
    }

    @Test func listsNamesKindsAndSizes() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/run/artifacts/b.txt", "hello")
        try await fixture.write("1/run/artifacts/sub/c.txt", "bye")
        try await fixture.write("1/run/artifacts/a.bin", [Array(Self.large)])
        // An upload in progress is not an artifact yet.
        #expect(
            FileManager.default.createFile(atPath: fixture.root + "/1/run/artifacts/.kaizen-upload-0123", contents: nil)
        )
        #expect(
            try await fixture.list("1/run/artifacts") == [
                ArtifactEntry(name: "a.bin", isDirectory: false, size: 200_003),
                ArtifactEntry(name: "b.txt", isDirectory: false, size: 5),
                ArtifactEntry(name: "sub", isDirectory: true, size: nil),
            ])
        #expect(try await fixture.list("1/run/artifacts/b.txt") == [])
        #expect(try await fixture.list("missing") == [])
        #expect(try await fixture.list("").map(\.name) == ["1"])
    }

    @Test func readingAMissingFileOrAFolderFails() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/sub/a.txt", "hello")
        await #expect(throws: KaizenError.notFound("No such artifact: '1/nope'")) { try await fixture.chunks("1/nope") }
        await #expect(throws: KaizenError.notFound("No such artifact: ''")) { try await fixture.chunks("") }
        let folder = await #expect(throws: KaizenError.self) { try await fixture.chunks("1/sub") }
        #expect(folder?.code == .invalidParameterValue)
        // A FIFO planted in the tree neither blocks the read nor counts as an artifact.
        #expect(mkfifo(fixture.root + "/1/pipe", 0o644) == 0)
        await #expect(throws: KaizenError.notFound("No such artifact: '1/pipe'")) { try await fixture.chunks("1/pipe") }
    }

    @Test func aFileThatShrinksWhileReadEndsWithAnError() async throws {
        let fixture = try Fixture()
        try await fixture.write("a.bin", [Self.large])
        let content = try await fixture.store.read(try ArtifactPath(validating: "a.bin"))
        #expect(truncate(fixture.root + "/a.bin", 100_000) == 0)
        var received = 0
        await #expect(throws: KaizenError.self) {
            for try await chunk in content { received += chunk.count }
        }
        #expect(received == 100_000)
    }

    struct SourceFailed: Error {}

    @Test func aFailingSourceLeavesNothingBehind() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/kept.bin", "old")
        for path in ["1/new.bin", "1/kept.bin"] {
            await #expect(throws: SourceFailed.self) {
                try await fixture.write(path, [Array(Self.large[..<70_000]), [1, 2, 3]], failing: SourceFailed())
            }
        }
        #expect(try fixture.contents(of: "1") == ["kept.bin"])
        #expect(try await fixture.text("1/kept.bin") == "old")
    }

    @Test func aCancelledWriteLeavesNothingBehind() async throws {
        let fixture = try Fixture()
        try FileManager.default.createDirectory(atPath: fixture.root + "/1", withIntermediateDirectories: false)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        continuation.yield(Array(Self.large))
        let path = try ArtifactPath(validating: "1/partial.bin")
        let store = fixture.store
        let upload = Task { try await store.write(path, from: stream) }
        // Wait until the bytes sit in the temporary file, then cancel: AsyncStream then ends as if complete.
        var waited = 0
        while try fixture.contents(of: "1").isEmpty, waited < 1000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(try fixture.contents(of: "1").first?.hasPrefix(".kaizen-upload-") == true)
        upload.cancel()
        await #expect(throws: CancellationError.self) { try await upload.value }
        #expect(try fixture.contents(of: "1") == [])
    }

    @Test func writeRefusesFoldersAndTheRoot() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/sub/a.txt", "hello")
        for path in ["1/sub", "1/sub/a.txt/b.txt", ""] {
            let error = await #expect(throws: KaizenError.self) { try await fixture.write(path, "x") }
            #expect(error?.code == .invalidParameterValue, "\(path)")
        }
        #expect(try await fixture.text("1/sub/a.txt") == "hello")
    }

    @Test func deleteRemovesFilesAndTrees() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/a.txt", "a")
        try await fixture.write("1/sub/deep/b.txt", "b")
        try await fixture.store.delete(try ArtifactPath(validating: "1/sub"))
        try await fixture.store.delete(try ArtifactPath(validating: "1/missing"))
        #expect(try await fixture.list("1").map(\.name) == ["a.txt"])
        await #expect(throws: KaizenError.self) { try await fixture.store.delete(try ArtifactPath(validating: "")) }
    }

    /// Every operation reached through a hostile raw path is refused before touching anything.
    @Test(arguments: [
        "..%2Foutside%2Fsecret.txt", "%252e%252e%252foutside%252fsecret.txt", "../outside/secret.txt",
        "a/../../outside/secret.txt", "%2e%2e/outside/secret.txt", "/etc/passwd", "%2Fetc%2Fpasswd",
        "file:///etc/passwd",
    ])
    func hostilePathsAreRefused(_ raw: String) async throws {
        let fixture = try Fixture()
        await #expect(throws: KaizenError.self) { try await fixture.chunks(raw) }
        await #expect(throws: KaizenError.self) { try await fixture.write(raw, "mine") }
        await #expect(throws: KaizenError.self) { try await fixture.store.delete(try ArtifactPath(validating: raw)) }
        await #expect(throws: KaizenError.self) { try await fixture.list(raw) }
        #expect(fixture.secretIsIntact)
    }

    @Test func symlinksOutOfTheRootAreNotFollowed() async throws {
        let fixture = try Fixture()
        let (root, outside) = (fixture.root, fixture.outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: root + "/secret-link", withDestinationPath: outside + "/secret.txt")
        for path in ["escape/secret.txt", "secret-link"] {
            await #expect(throws: ArtifactPath.invalid) { try await fixture.chunks(path) }
        }
        for path in ["escape/new.txt", "escape/sub/new.txt", "escape/secret.txt", "secret-link"] {
            await #expect(throws: ArtifactPath.invalid) { try await fixture.write(path, "mine") }
        }
        await #expect(throws: ArtifactPath.invalid) { try await fixture.list("escape") }
        await #expect(throws: ArtifactPath.invalid) {
            try await fixture.store.delete(try ArtifactPath(validating: "escape/secret.txt"))
        }
        #expect(fixture.secretIsIntact)
        // Deleting the link itself removes the link, not its target.
        try await fixture.store.delete(try ArtifactPath(validating: "secret-link"))
        #expect(!FileManager.default.fileExists(atPath: root + "/secret-link"))
        #expect(fixture.secretIsIntact)
    }

    @Test func symlinksInsideTheRootAreFollowed() async throws {
        let fixture = try Fixture()
        try await fixture.write("1/a.txt", "hello")
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/alias", withDestinationPath: "1")
        #expect(try await fixture.text("alias/a.txt") == "hello")
        #expect(try await fixture.list("alias") == [ArtifactEntry(name: "a.txt", isDirectory: false, size: 5)])
    }
}
