import KaizenCore
import KaizenTracking
import Testing

struct ArtifactLocationTests {
    @Test(arguments: [
        "http:///#/../../../../etc/", "http://x/y;/../../etc", "file:///etc/?a=../../", "runs:/abc/def",
        "https://example.com/a", "mlflow-artifacts://host/../../", "mlflow-artifacts:/a/../../b",
    ])
    func refusesHostileLocations(_ location: String) {
        #expect(throws: KaizenError.self) { try ArtifactLocation.validate(location, workingDirectory: "/srv") }
    }

    @Test func resolvesRelativeLocations() throws {
        #expect(try ArtifactLocation.validate("my_location", workingDirectory: "/srv/") == "/srv/my_location")
        #expect(try ArtifactLocation.validate("file:///data/x", workingDirectory: "/srv") == "file:///data/x")
        #expect(try ArtifactLocation.validate("s3://bucket/p", workingDirectory: "/srv") == "s3://bucket/p")
    }
}
