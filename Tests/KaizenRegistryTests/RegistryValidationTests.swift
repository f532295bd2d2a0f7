import KaizenCore
import KaizenRegistry
import KaizenTracking
import Testing

struct RegistryValidationTests {
    @Test func modelNames() throws {
        try RegistryValidation.validateModelName("my model-1")
        #expect(throws: KaizenError.invalidParameter("Invalid model name 'a/b'. Names cannot contain '/' or ':'.")) {
            try RegistryValidation.validateModelName("a/b")
        }
        #expect(throws: KaizenError.self) { try RegistryValidation.validateModelName("..") }
        #expect(throws: KaizenError.self) { try RegistryValidation.validateModelName("   ") }
    }

    @Test func aliases() throws {
        try RegistryValidation.validateAliasToSet("champion")
        try RegistryValidation.validateAliasToSet("v1a")
        #expect(throws: KaizenError.invalidParameter("'latest' alias name (case insensitive) is reserved.")) {
            try RegistryValidation.validateAliasToSet("Latest")
        }
        #expect(throws: KaizenError.invalidParameter("Version alias name 'v12' is reserved.")) {
            try RegistryValidation.validateAliasToSet("v12")
        }
        #expect(throws: KaizenError.self) { try RegistryValidation.validateAliasToSet("a.b") }
    }

    @Test func stagesAndVersions() throws {
        #expect(try RegistryValidation.parseStage("production") == .production)
        #expect(
            throws: KaizenError.invalidParameter(
                "Invalid Model Version stage: prod. Value must be one of None, Staging, Production, Archived.")
        ) { try RegistryValidation.parseStage("prod") }
        #expect(try RegistryValidation.parseVersion(" 01") == 1)
        #expect(throws: KaizenError.self) { try RegistryValidation.parseVersion("1.0") }
    }

    @Test func tagValuesAreBounded() {
        #expect(throws: KaizenError.self) {
            try RegistryValidation.validateTag(Tag(key: "k", value: String(repeating: "x", count: 100_001)))
        }
    }
}
