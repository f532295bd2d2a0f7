import Foundation
import KaizenArtifacts
import KaizenCore
import Testing

struct ArtifactPathTests {
    @Test(arguments: [
        "..%2F..%2F..%2Fetc%2Fpasswd", "%252e%252e%252f%252e%252e%252fetc", "%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc",
        "a/..%2F..%2F..%2Fetc/passwd", "../../etc", "/etc", "file:///etc", "a#/../../etc", "a/../b", "x%00y",
        "%25252525252525252525252e%2e", "%zz",
    ])
    func refusesTraversal(_ raw: String) {
        #expect(throws: KaizenError.self) { try ArtifactPath(validating: raw) }
    }

    @Test func acceptsNormalPaths() throws {
        #expect(try ArtifactPath(validating: "1/abc/artifacts/model/MLmodel").segments.count == 5)
        #expect(try ArtifactPath(validating: "1/a%20b.txt").name == "a b.txt")
        #expect(try ArtifactPath(validating: "").isRoot)
        // A backslash is an ordinary character on POSIX, not a separator.
        #expect(try ArtifactPath(validating: "..%5c..%5cetc").segments == ["..\\..\\etc"])
    }
}

struct LocalArtifactStoreTests {
    func makeRoot() throws -> (root: String, outside: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-art-\(UUID().uuidString)").path
        let root = base + "/root"
        let outside = base + "/outside"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
        return (root, outside)
    }

    func write(_ store: LocalArtifactStore, _ path: String, _ text: String) throws {
        let upload = try store.prepareUpload(try ArtifactPath(validating: path))
        try text.write(toFile: upload.temporaryPath, atomically: false, encoding: .utf8)
        try store.commit(upload)
    }

    @Test func writesListsReadsAndDeletes() throws {
        let (root, _) = try makeRoot()
        let store = try LocalArtifactStore(root: root)
        try write(store, "1/run/artifacts/a.txt", "hello")
        try write(store, "1/run/artifacts/sub/b.txt", "bye")
        let entries = try store.list(try ArtifactPath(validating: "1/run/artifacts"))
        #expect(
            entries == [
                ArtifactEntry(name: "a.txt", isDirectory: false, size: 5),
                ArtifactEntry(name: "sub", isDirectory: true, size: nil),
            ])
        let file = try store.fileForReading(try ArtifactPath(validating: "1/run/artifacts/a.txt"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "hello")
        #expect(throws: KaizenError.self) {
            try store.fileForReading(try ArtifactPath(validating: "1/run/artifacts/sub"))
        }
        #expect(throws: KaizenError.notFound("No such artifact: '1/nope'")) {
            try store.fileForReading(try ArtifactPath(validating: "1/nope"))
        }
        try store.delete(try ArtifactPath(validating: "1/run/artifacts/sub"))
        #expect(try store.list(try ArtifactPath(validating: "1/run/artifacts")).map(\.name) == ["a.txt"])
        #expect(try store.list(try ArtifactPath(validating: "missing")) == [])
    }

    @Test func symlinksOutOfTheRootAreNotFollowed() throws {
        let (root, outside) = try makeRoot()
        let store = try LocalArtifactStore(root: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: root + "/secret-link", withDestinationPath: outside + "/secret.txt")
        #expect(throws: KaizenError.self) {
            try store.fileForReading(try ArtifactPath(validating: "escape/secret.txt"))
        }
        #expect(throws: KaizenError.self) { try store.fileForReading(try ArtifactPath(validating: "secret-link")) }
        #expect(throws: KaizenError.self) { try store.prepareUpload(try ArtifactPath(validating: "escape/new.txt")) }
        #expect(throws: KaizenError.self) {
            try store.prepareUpload(try ArtifactPath(validating: "escape/sub/new.txt"))
        }
        #expect(throws: KaizenError.self) { try store.list(try ArtifactPath(validating: "escape")) }
        #expect(throws: KaizenError.self) { try store.delete(try ArtifactPath(validating: "escape/secret.txt")) }
        // A link that leads out of the root cannot be written through either.
        #expect(throws: KaizenError.self) { try write(store, "secret-link", "mine") }
        #expect(try String(contentsOfFile: outside + "/secret.txt", encoding: .utf8) == "secret")
        #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
        #expect(!FileManager.default.fileExists(atPath: outside + "/sub"))
    }
}
