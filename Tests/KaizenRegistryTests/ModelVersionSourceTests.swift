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
