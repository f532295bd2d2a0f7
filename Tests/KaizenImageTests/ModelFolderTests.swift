import Foundation
import Testing

@testable import KaizenImage

struct ModelFolderTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-folder-\(UUID().uuidString)")

    func makeModel() throws -> URL {
        let model = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(
            at: model.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data("flavors: {}\n".utf8).write(to: model.appendingPathComponent("MLmodel"))
        try Data([1, 2, 3]).write(to: model.appendingPathComponent("data/weights.bin"))
        return model
    }

    @Test func foldersAndInsideLinksBecomeEntries() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try makeModel()
        try FileManager.default.createSymbolicLink(
            atPath: model.path + "/data/alias.bin", withDestinationPath: "../data/weights.bin")
        let entries = try ModelFolder.entries(of: model.path, under: "opt/kaizen/model")
        #expect(
            entries.map(\.path) == [
                "opt/kaizen/model", "opt/kaizen/model/MLmodel", "opt/kaizen/model/data",
                "opt/kaizen/model/data/alias.bin", "opt/kaizen/model/data/weights.bin",
            ])
        #expect(entries[3].kind == .symlink(target: "../data/weights.bin"))
    }

    @Test(arguments: ["/etc/passwd", "../../outside", "../outside/secret", "data/../../outside"])
    func linksOutOfTheFolderAreRefused(_ target: String) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try makeModel()
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret"))
        try FileManager.default.createSymbolicLink(atPath: model.path + "/evil", withDestinationPath: target)
        do {
            _ = try ModelFolder.entries(of: model.path, under: "opt/kaizen/model")
            Issue.record("the link to \(target) was accepted")
        } catch {
            #expect(error.code == .unsafeFile)
            #expect(error.message.contains("evil"))
        }
    }

    @Test func aLinkThroughAnInsideLinkThatLeadsOutIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try makeModel()
        try FileManager.default.createSymbolicLink(atPath: model.path + "/up", withDestinationPath: "/tmp")
        #expect(throws: ImageError.self) { try ModelFolder.entries(of: model.path, under: "m") }
    }

    @Test func specialFilesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try makeModel()
        #expect(mkfifo(model.path + "/pipe", 0o644) == 0)
        #expect(throws: ImageError.self) { try ModelFolder.entries(of: model.path, under: "m") }
    }
}
