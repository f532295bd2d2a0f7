import KaizenCore
import KaizenRegistry
import KaizenTracking
import Testing

struct ModelVersionSourceTests {
    static let runID = "0123456789abcdef0123456789abcdef"
    static let modelID = "m-0123456789abcdef0123456789abcdef"

    static let validator = ModelVersionSource(
        lookups: .init(
            run: { id in
                id == runID
                    ? RunInfo(
                        runID: id, experimentID: "1", runName: "r", userID: "", status: .running, startTime: 0,
                        endTime: nil,
                        artifactURI: "mlflow-artifacts:/1/\(id)/artifacts", lifecycleStage: .active) : nil
            },
            loggedModel: { id in
                id == modelID
                    ? LoggedModel(
                        modelID: id, experimentID: "1", name: "model",
                        artifactURI: "mlflow-artifacts:/1/models/\(id)/artifacts",
                        status: .ready, modelType: "", sourceRunID: runID, creationTimestamp: 0, lastUpdatedTimestamp: 0
                    ) : nil
            },
            registeredVersion: { name, reference in
                guard name == "mv" else { throw KaizenError.notFound("Registered Model with name=\(name) not found") }
                guard reference == "1" || reference == "@champion" || reference == "latest" else {
                    throw KaizenError.invalidParameter("Registered model alias nope not found.")
                }
                return ModelVersion(
                    name: "mv", version: 1, creationTimestamp: 0, lastUpdatedTimestamp: 0,
                    source: "runs:/\(runID)/model",
                    runID: runID)
            }))

    @Test(arguments: [
        "file:///", "file:///etc/", "//proc/self/root", "/etc", "/models/artifacts/../../../", "file://\\..\\..\\etc",
        "file://path/to/../../../../some/where/you/should/not/be", "mlflow-artifacts://host/../../../../",
        "http://host/api/2.0/mlflow-artifacts/artifacts/../../../", "https://host:443/a", "ftp://h/x",
        "http://host:5000/api/2.0/mlflow-artifacts/artifacts%00", "s3:/my_bucket/models/path/../../other/path",
        "mlflow-artifacts:/..%2f..%2f..%2f", "s3://b/%252e%252e/x", "s3://b/a/./c", "s3://b/a?x=../..", "s3://bucket",
        "dbfs:m", "models:/m-0000/../..", "models:/cve", "models://host/mv/1",
        "runs:/\(runID)/../../../etc", "runs:/\(runID)/model/..", "runs:/otherrun/model",
        "mlflow-artifacts:/1/\(runID)/artifacts/../../other", "mlflow-artifacts:/1/other/artifacts",
        "mlflow-artifacts:/1/\(runID)/artifactsX",
    ])
    func refusesHostileSources(_ source: String) async {
        await #expect(throws: KaizenError.self) {
            try await Self.validator.resolve(source: source, runID: Self.runID, modelID: nil)
        }
    }

    @Test func acceptsSourcesInsideTheirRunOrModel() async throws {
        let run = try await Self.validator.resolve(source: "runs:/\(Self.runID)/model", runID: Self.runID, modelID: nil)
        #expect(run.runID == Self.runID)
        let artifacts = try await Self.validator.resolve(
            source: "mlflow-artifacts:/1/\(Self.runID)/artifacts/model", runID: Self.runID, modelID: nil)
        #expect(artifacts.storageLocation == nil)
        let model = try await Self.validator.resolve(
            source: "models:/\(Self.modelID)", runID: nil, modelID: Self.modelID)
        #expect(model.storageLocation == "mlflow-artifacts:/1/models/\(Self.modelID)/artifacts")
        #expect(model.runID == Self.runID)
        let lineage = try await Self.validator.resolve(source: "models:/mv@champion", runID: nil, modelID: nil)
        #expect(lineage.source == "models:/mv/1")
        #expect(lineage.storageLocation == "runs:/\(Self.runID)/model")
        let s3 = try await Self.validator.resolve(source: "s3://bucket/path/model", runID: nil, modelID: nil)
        #expect(s3.source == "s3://bucket/path/model")
    }

    @Test func localPathMessageNamesTheRule() async {
        await #expect(
            throws: KaizenError.invalidParameter(
                "Invalid model version source: '/etc'. To use a local path as a model version source, the run_id request "
                    + "parameter has to be specified and the local path has to be contained within the artifact directory "
                    + "of the run specified by the run_id.")
        ) { try await Self.validator.resolve(source: "/etc", runID: nil, modelID: nil) }
    }
}

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

    @Test func registryFiltersHidePrompts() throws {
        let search = try RegisteredModelSearch(
            filter: "tag.`mlflow.prompt.is_prompt` != 'true' AND name LIKE 'm%'", orderBy: ["timestamp DESC"],
            maxResults: nil, pageToken: nil)
        #expect(!search.wantsPrompts)
        #expect(search.clauses.count == 1)
        #expect(search.order.map(\.0) == ["last_updated_timestamp", "name"])
        #expect(throws: KaizenError.self) {
            try RegisteredModelSearch(filter: nil, orderBy: ["creation_timestamp"], maxResults: nil, pageToken: nil)
        }
        #expect(throws: KaizenError.self) {
            try ModelVersionSearch(filter: "current_stage = 'Production'", orderBy: [], maxResults: nil, pageToken: nil)
        }
    }

    @Test func webhookPolicy() throws {
        let strict = WebhookPolicy()
        #expect(throws: KaizenError.self) { try strict.validate("http://example.com/hook") }
        #expect(throws: KaizenError.self) { try strict.validate("https://127.0.0.1/hook") }
        #expect(throws: KaizenError.self) { try strict.validate("https://10.1.2.3/hook") }
        #expect(try strict.validate("https://example.com:8443/hook") == "example.com")
        let local = WebhookPolicy(allowedSchemes: ["http", "https"], allowPrivateAddresses: true)
        #expect(try local.validate("http://127.0.0.1:9000/x") == "127.0.0.1")
    }
}

struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func knownDigests() {
        #expect(Self.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Self.hex(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.hex(SHA256.hash(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hmacMatchesRFC4231() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            Self.hex(SHA256.hmac(key: key, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            Self.hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(
            Self.hex(
                SHA256.hmac(key: longKey, message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
            )
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
