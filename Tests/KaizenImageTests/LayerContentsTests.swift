import Testing

@testable import KaizenImage

struct LayerContentsTests {
    @Test func parentsAreAddedAndEntriesSorted() throws {
        let contents = try LayerContents([
            .file("usr/local/bin/kaizen", contents: "x"), .file("etc/passwd", contents: "root"),
            .file("usr/lib/a.so", contents: "a"),
        ])
        #expect(
            contents.entries.map(\.path) == [
                "etc", "etc/passwd", "usr", "usr/lib", "usr/lib/a.so", "usr/local", "usr/local/bin",
                "usr/local/bin/kaizen",
            ])
        #expect(contents.entries.first { $0.path == "usr/lib" }?.kind == .directory)
    }

    @Test(arguments: ["/etc/passwd", "a/../b", "./a", "a//b", ""])
    func unsafeNamesAreRefused(_ name: String) {
        #expect(throws: ImageError.self) { try LayerContents([.file(name, contents: "x")]) }
    }

    @Test func componentsOver255BytesAreRefused() {
        let long = String(repeating: "n", count: 256)
        do {
            _ = try LayerContents([.file("opt/" + long, contents: "x")])
            Issue.record("a 256-byte component was accepted")
        } catch {
            #expect(error.code == .unsafeFile)
            #expect(error.message.contains("256 bytes"))
        }
        #expect((try? LayerContents([.file("opt/" + String(long.dropLast()), contents: "x")])) != nil)
    }

    @Test func aPathTwiceIsRefused() {
        #expect(throws: ImageError.self) {
            try LayerContents([.file("a/b", contents: "1"), .file("a/b", contents: "2")])
        }
        #expect(throws: ImageError.self) {
            try LayerContents([.file("a", contents: "1"), .file("a/b", contents: "2")])
        }
    }
}
