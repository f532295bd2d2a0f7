import Foundation
import KaizenCore
import KaizenRegistry
import KaizenStorage
import KaizenTracking
import Testing

struct SQLiteRegistryStoreTests {
    struct Sink: RegistryEventSink {
        func publish(_ event: RegistryEvent) {}
    }

    func makeRegistry() async throws -> RegistryService {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-reg-\(UUID().uuidString).db")
            .path
        let pool = try SQLiteDatabase.open(path)
        let tracking = TrackingService(
            store: SQLiteTrackingStore(pool: pool), defaultArtifactRoot: "mlflow-artifacts:/", workingDirectory: "/srv")
        try await tracking.bootstrap()
        return RegistryService(store: SQLiteRegistryStore(pool: pool), tracking: tracking, events: Sink())
    }

    func addVersions(_ registry: RegistryService, _ name: String, count: Int) async throws {
        _ = try await registry.createRegisteredModel(
            name: name, description: nil, tags: [Tag(key: "team", value: "a")], actor: .anonymous)
        for index in 1...count {
            _ = try await registry.createModelVersion(
                name: name, source: "s3://bucket/\(name)/\(index)", runID: nil, modelID: nil, runLink: nil,
                description: nil, tags: [Tag(key: "i", value: String(index))], actor: .anonymous)
        }
    }

    @Test func stagesAliasesAndNumbering() async throws {
        let registry = try await makeRegistry()
        try await addVersions(registry, "m", count: 3)
        _ = try await registry.transitionStage(
            name: "m", version: 1, stage: "production", archiveExisting: false, actor: .anonymous)
        _ = try await registry.transitionStage(
            name: "m", version: 2, stage: "Staging", archiveExisting: false, actor: .anonymous)
        let moved = try await registry.transitionStage(
            name: "m", version: 3, stage: "Production", archiveExisting: true, actor: Actor("alice"))
        #expect(moved.currentStage == .production)
        #expect(try await registry.modelVersion(name: "m", version: 1).currentStage == .archived)
        #expect(try await registry.modelVersion(name: "m", version: 2).currentStage == .staging)
        let latest = try await registry.latestVersions(name: "m", stages: [])
        #expect(latest.map(\.version) == [1, 2, 3])
        try await registry.setAlias(name: "m", alias: "champion", version: 2, actor: .anonymous)
        #expect(try await registry.versionByAlias(name: "m", alias: "champion").version == 2)
        try await registry.deleteModelVersion(name: "m", version: 3, actor: .anonymous)
        let next = try await registry.createModelVersion(
            name: "m", source: "s3://bucket/m/4", runID: nil, modelID: nil, runLink: nil, description: nil, tags: [],
            actor: .anonymous)
        #expect(next.version == 4)
        await #expect(throws: RegistryError.aliasNotFound("nope")) {
            try await registry.versionByAlias(name: "m", alias: "nope")
        }
    }

    @Test func searchPagesCarryLatestVersionsTagsAndAliases() async throws {
        let registry = try await makeRegistry()
        for name in ["a", "b", "c"] { try await addVersions(registry, name, count: 2) }
        try await registry.setAlias(name: "b", alias: "prod", version: 1, actor: .anonymous)
        _ = try await registry.setRegisteredModelTag(
            name: "c", tag: Tag(key: promptTagKey, value: "true"), actor: .anonymous)
        let page = try await registry.searchRegisteredModels(
            try RegisteredModelSearch(filter: nil, orderBy: ["name DESC"], maxResults: 1, pageToken: nil))
        #expect(page.items.map(\.name) == ["b"])
        #expect(page.items[0].aliases == [ModelAlias(alias: "prod", version: 1)])
        #expect(page.items[0].latestVersions.map(\.version) == [2])
        #expect(page.items[0].latestVersions[0].tags == [Tag(key: "i", value: "2")])
        let rest = try await registry.searchRegisteredModels(
            try RegisteredModelSearch(
                filter: nil, orderBy: ["name DESC"], maxResults: 10, pageToken: page.nextPageToken))
        #expect(rest.items.map(\.name) == ["a"])
        let tagged = try await registry.searchRegisteredModels(
            try RegisteredModelSearch(
                filter: "tags.team = 'a' AND name != 'a'", orderBy: [], maxResults: nil, pageToken: nil))
        #expect(tagged.items.map(\.name) == ["b"])
        let versions = try await registry.searchModelVersions(
            try ModelVersionSearch(
                filter: "name IN ('a', 'b') AND version_number > 1", orderBy: ["name"], maxResults: nil, pageToken: nil)
        )
        #expect(versions.items.map { "\($0.name)\($0.version)" } == ["a2", "b2"])
    }

    @Test func auditTrailFollowsRenamesAndSurvivesDelete() async throws {
        let registry = try await makeRegistry()
        try await addVersions(registry, "old", count: 1)
        _ = try await registry.renameRegisteredModel(name: "old", to: "new", actor: Actor("bob"))
        try await registry.setAlias(name: "new", alias: "champion", version: 1, actor: .anonymous)
        try await registry.deleteRegisteredModel(name: "new", actor: Actor("carol"))
        let trail = try await registry.history(name: "new")
        #expect(
            trail.map(\.action) == [
                "create_registered_model", "create_model_version", "rename_registered_model",
                "set_registered_model_alias", "delete_registered_model",
            ])
        #expect(trail[0].modelName == "old")
        #expect(trail[2].actor == "bob")
        #expect(trail[2].after == .object([("name", "new")]))
        #expect(trail[4].actor == "carol")
        #expect(try await registry.history(name: "old").map(\.action).last == "rename_registered_model")
    }
}
