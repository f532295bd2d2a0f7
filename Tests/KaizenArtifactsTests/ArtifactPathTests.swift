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
