import Testing

@testable import KaizenImage

struct ImageReferenceTests {
    @Test func registriesRepositoriesAndTags() throws {
        let local = try ImageReference(parsing: "localhost:5000/team/iris:v1")
        #expect(local.registry == "localhost:5000")
        #expect(local.repository == "team/iris")
        #expect(local.tag == "v1")
        #expect(local.isLoopback)
        let hub = try ImageReference(parsing: "iris")
        #expect(hub.registry == "docker.io")
        #expect(hub.repository == "library/iris")
        #expect(hub.tag == "latest")
        #expect(hub.apiHost == "registry-1.docker.io")
        #expect(!hub.isLoopback)
        let ghcr = try ImageReference(parsing: "ghcr.io/acme/fraud-model:2026.12.04")
        #expect(ghcr.registry == "ghcr.io")
        #expect(ghcr.tag == "2026.12.04")
        #expect(try ImageReference(parsing: "127.0.0.1:5000/m").isLoopback)
        #expect(try ImageReference(parsing: "user/repo:tag").registry == "docker.io")
    }

    @Test(arguments: [
        "", "Iris:v1", "localhost:5000/UPPER", "reg.io/a//b", "reg.io/a:", "reg.io/a:-tag", "reg.io/a@sha256:00",
        "reg.io/a..b", "reg.io/a:" + String(repeating: "t", count: 129), "reg.io/../x",
    ])
    func malformedReferencesAreRefused(_ text: String) {
        #expect(throws: ImageError.self) { try ImageReference(parsing: text) }
    }
}
