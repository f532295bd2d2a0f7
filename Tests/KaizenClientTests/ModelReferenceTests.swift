import Foundation
import KaizenClient
import Testing

/// Model URIs parse as MLflow writes them, and hostile ones are refused before any request is made.
struct ModelReferenceTests {
    @Test func mlflowURIForms() throws {
        #expect(try ModelReference(parsing: "models:/fraud/3") == .version(name: "fraud", version: "3"))
        #expect(try ModelReference(parsing: "models:/fraud/production") == .stage(name: "fraud", stage: "Production"))
        #expect(try ModelReference(parsing: "models:/fraud/latest") == .stage(name: "fraud", stage: nil))
        #expect(try ModelReference(parsing: "models:/fraud@champion") == .alias(name: "fraud", alias: "champion"))
        #expect(try ModelReference(parsing: "models:/m-0123abcd") == .loggedModel(id: "m-0123abcd"))
        #expect(
            try ModelReference(parsing: "runs:/0123456789abcdef0123456789abcdef/model")
                == .run(id: "0123456789abcdef0123456789abcdef", path: "model"))
        #expect(try ModelReference(parsing: "/tmp/model") == .local(URL(fileURLWithPath: "/tmp/model")))
        #expect(try ModelReference(parsing: "models:/fraud@champion").isMoving)
        #expect(try !ModelReference(parsing: "models:/fraud/3").isMoving)
    }

    @Test func hostileURIsAreRefused() {
        for uri in [
            "runs:/../../etc/passwd", "runs:/abc/../../etc", "runs:/abc/%2e%2e/secret", "runs:/abc/%252e%252e/x",
            "runs:/abc//etc/passwd", "runs:/abc/a\\..\\b", "models:/", "models:/fraud/Prod", "models:/fraud",
            "s3://bucket/model", "runs:/a%2fb/model",
        ] {
            #expect(throws: (any Error).self, "\(uri)") { try ModelReference(parsing: uri) }
        }
    }
}
