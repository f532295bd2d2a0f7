import Foundation
import KaizenCore
import KaizenRegistry
import KaizenTracking
import Testing

/// The registry store's behaviour, the same on every backend: models, versions, stages, aliases, tags, search,
/// the audit trail, and the uniqueness that concurrent writers must not break.
struct RegistryStoreConformanceTests {
    func addVersions(_ registry: RegistryService, _ name: String, count: Int) async throws {
        _ = try await registry.createRegisteredModel(
            name: name, description: nil, tags: [Tag(key: "team", value: "a")], actor: .anonymous)
        for index in 1...count {
            _ = try await registry.createModelVersion(
                name: name, source: "s3://bucket/\(name)/\(index)", runID: nil, modelID: nil, runLink: nil,
                description: nil, tags: [Tag(key: "i", value: String(index))], actor: .anonymous)
        }
    }

    func draft(_ name: String, source: String = "s3://b/m", tags: [KaizenCore.Tag] = []) -> ModelVersionDraft {
        ModelVersionDraft(
            name: name, source: source, runID: "", runLink: "", description: "", tags: tags, storageLocation: nil)
    }

    @Test(arguments: StoreBackend.all)
    func stagesAliasesAndNumbering(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let registry = stores.registryService
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
                name: "m", source: "s3://bucket/m/4", runID: nil, modelID: nil, runLink: nil, description: nil,
                tags: [], actor: .anonymous)
            #expect(next.version == 4)
            await #expect(throws: RegistryError.aliasNotFound("nope")) {
                try await registry.versionByAlias(name: "m", alias: "nope")
            }
        }
    }

    @Test(arguments: StoreBackend.all)
    func searchPagesCarryLatestVersionsTagsAndAliases(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let registry = stores.registryService
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
            #expect(rest.nextPageToken == nil)
            let tagged = try await registry.searchRegisteredModels(
                try RegisteredModelSearch(
                    filter: "tags.team = 'a' AND name != 'a'", orderBy: [], maxResults: nil, pageToken: nil))
            #expect(tagged.items.map(\.name) == ["b"])
            let prompts = try await registry.searchRegisteredModels(
                try RegisteredModelSearch(
                    filter: "tags.`\(promptTagKey)` = 'true'", orderBy: [], maxResults: nil, pageToken: nil))
            #expect(prompts.items.map(\.name) == ["c"])
            let versions = try await registry.searchModelVersions(
                try ModelVersionSearch(
                    filter: "name IN ('a', 'b') AND version_number > 1", orderBy: ["name"], maxResults: nil,
                    pageToken: nil))
            #expect(versions.items.map { "\($0.name)\($0.version)" } == ["a2", "b2"])
        }
    }

    @Test(arguments: StoreBackend.all)
    func filtersCompareAsMLflowDoes(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.registry
            for name in ["Alpha", "alpha-2", "beta", "b_c", "B%"] {
                _ = try await store.createRegisteredModel(
                    name: name, description: "", tags: [Tag(key: "k", value: name.lowercased())], now: 1,
                    actor: .anonymous)
            }
            func names(_ filter: String, order: [String] = ["name"]) async throws -> [String] {
                try await store.searchRegisteredModels(
                    try RegisteredModelSearch(filter: filter, orderBy: order, maxResults: nil, pageToken: nil)
                ).items.map(\.name)
            }
            // Byte order: capitals first.
            #expect(try await names("name LIKE '%'") == ["Alpha", "B%", "alpha-2", "b_c", "beta"])
            #expect(try await names("name LIKE 'a%'") == ["alpha-2"])
            #expect(try await names("name ILIKE 'a%'") == ["Alpha", "alpha-2"])
            // `_` and `%` are wildcards, and a backslash escapes nothing.
            #expect(try await names("name LIKE 'b_c'") == ["b_c"])
            #expect(try await names("name LIKE 'B\\%'") == [])
            #expect(try await names("tags.k = 'beta'") == ["beta"])
            #expect(try await names("tags.k LIKE '%a%'") == ["Alpha", "alpha-2", "beta"])
            #expect(try await names("tags.missing != 'x'") == [])
            #expect(try await names("name != 'beta'", order: ["name DESC"]) == ["b_c", "alpha-2", "B%", "Alpha"])
            #expect(try await names("name IN ('beta', 'nope')") == ["beta"])
            #expect(try await names("name NOT IN ('beta', 'b_c')") == ["Alpha", "B%", "alpha-2"])

            for index in 1...5 {
                _ = try await store.createModelVersion(
                    draft(
                        "beta", source: "s3://b/\(index)",
                        tags: index.isMultiple(of: 2) ? [Tag(key: "even", value: "y")] : []
                    ), now: Int64(index), actor: .anonymous)
            }
            func versions(
                _ filter: String, order: [String] = [], max: Int64? = nil, token: String? = nil
            ) async throws
                -> Page<ModelVersion>
            {
                try await store.searchModelVersions(
                    try ModelVersionSearch(filter: filter, orderBy: order, maxResults: max, pageToken: token))
            }
            #expect(try await versions("name = 'beta'").items.map(\.version) == [5, 4, 3, 2, 1])
            #expect(try await versions("tags.even = 'y'", order: ["version_number"]).items.map(\.version) == [2, 4])
            #expect(
                try await versions("version_number <= 2", order: ["version_number"]).items.map(\.version) == [1, 2])
            #expect(try await versions("source_path LIKE '%/3'").items.map(\.version) == [3])
            let first = try await versions("name = 'beta'", order: ["version_number ASC"], max: 2)
            #expect(first.items.map(\.version) == [1, 2])
            let second = try await versions(
                "name = 'beta'", order: ["version_number ASC"], max: 2, token: first.nextPageToken)
            #expect(second.items.map(\.version) == [3, 4])
            let last = try await versions(
                "name = 'beta'", order: ["version_number ASC"], max: 2, token: second.nextPageToken)
            #expect(last.items.map(\.version) == [5])
            #expect(last.nextPageToken == nil)
            // Search results carry tags but not aliases.
            try await store.setAlias(name: "beta", alias: "x", version: 4, now: 9, actor: .anonymous)
            let four = try await versions("version_number = 4").items
            #expect(four.first?.tags == [Tag(key: "even", value: "y")])
            #expect(four.first?.aliases == [])
        }
    }

    @Test(arguments: StoreBackend.all)
    func modelsAreCreatedRenamedUpdatedTaggedAndDeleted(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.registry
            let created = try await store.createRegisteredModel(
                name: "m", description: "first", tags: [Tag(key: "b", value: "2"), Tag(key: "a", value: "1")],
                now: 100, actor: .anonymous)
            #expect(created.tags == [Tag(key: "a", value: "1"), Tag(key: "b", value: "2")])
            #expect(created.creationTimestamp == 100)
            #expect(
                await errorCode {
                    _ = try await store.createRegisteredModel(
                        name: "m", description: "", tags: [], now: 101, actor: .anonymous)
                } == "RESOURCE_ALREADY_EXISTS")
            _ = try await store.createModelVersion(
                draft("m", tags: [Tag(key: "v", value: "1")]), now: 102, actor: .anonymous)
            try await store.setAlias(name: "m", alias: "champion", version: 1, now: 103, actor: .anonymous)

            let updated = try await store.updateRegisteredModel(
                name: "m", description: "second", now: 104, actor: .anonymous)
            #expect(updated.description == "second")
            #expect(updated.lastUpdatedTimestamp == 104)
            try await store.setRegisteredModelTag(
                name: "m", tag: Tag(key: "a", value: "9"), now: 105, actor: .anonymous)
            try await store.deleteRegisteredModelTag(name: "m", key: "b", now: 106, actor: .anonymous)
            #expect(try await store.registeredModel(named: "m")?.tags == [Tag(key: "a", value: "9")])

            _ = try await store.createRegisteredModel(
                name: "other", description: "", tags: [], now: 107, actor: .anonymous)
            #expect(
                await errorCode {
                    _ = try await store.renameRegisteredModel(name: "m", to: "other", now: 108, actor: .anonymous)
                } == "RESOURCE_ALREADY_EXISTS")
            #expect(
                await errorCode {
                    _ = try await store.renameRegisteredModel(name: "nope", to: "x", now: 108, actor: .anonymous)
                } == "RESOURCE_DOES_NOT_EXIST")
            let renamed = try await store.renameRegisteredModel(name: "m", to: "n", now: 109, actor: .anonymous)
            #expect(renamed.name == "n")
            #expect(renamed.aliases == [ModelAlias(alias: "champion", version: 1)])
            #expect(renamed.tags == [Tag(key: "a", value: "9")])
            #expect(try await store.registeredModel(named: "m") == nil)
            let moved = try #require(try await store.modelVersion(name: "n", version: 1))
            #expect(moved.tags == [Tag(key: "v", value: "1")])
            #expect(moved.aliases == ["champion"])
            #expect(moved.lastUpdatedTimestamp == 109)
            #expect(try await store.version(name: "n", alias: "champion")?.version == 1)
            // The counter moved with the model.
            #expect(try await store.createModelVersion(draft("n"), now: 110, actor: .anonymous).version == 2)

            try await store.deleteRegisteredModel(name: "n", now: 111, actor: .anonymous)
            #expect(try await store.registeredModel(named: "n") == nil)
            #expect(try await store.modelVersion(name: "n", version: 1) == nil)
            #expect(
                await errorCode { try await store.deleteRegisteredModel(name: "n", now: 112, actor: .anonymous) }
                    == "RESOURCE_DOES_NOT_EXIST")
            // A name used again starts from version 1, with nothing of the old model.
            _ = try await store.createRegisteredModel(name: "n", description: "", tags: [], now: 113, actor: .anonymous)
            let again = try await store.createModelVersion(draft("n"), now: 114, actor: .anonymous)
            #expect(again.version == 1)
            #expect(again.tags.isEmpty)
            #expect(try await store.version(name: "n", alias: "champion") == nil)
        }
    }

    @Test(arguments: StoreBackend.all)
    func versionsAreUpdatedTaggedMovedAndDeleted(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.registry
            _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], now: 1, actor: .anonymous)
            for index in 1...4 {
                let version = try await store.createModelVersion(
                    ModelVersionDraft(
                        name: "m", source: "s3://b/\(index)", runID: "run\(index)", runLink: "link",
                        description: "d\(index)", tags: [], storageLocation: index == 1 ? "s3://store/1" : nil),
                    now: Int64(index + 1), actor: .anonymous)
                #expect(version.version == Int64(index))
            }
            let one = try #require(try await store.modelVersion(name: "m", version: 1))
            #expect(one.source == "s3://b/1")
            #expect(one.runID == "run1")
            #expect(one.storageLocation == "s3://store/1")
            #expect(one.description == "d1")
            #expect(one.currentStage == ModelStage.none)
            #expect(try await store.modelVersion(name: "m", version: 9) == nil)

            let described = try await store.updateModelVersion(
                name: "m", version: 2, description: nil, now: 10, actor: .anonymous)
            #expect(described.description == nil)
            #expect(described.lastUpdatedTimestamp == 10)
            try await store.setModelVersionTag(
                name: "m", version: 2, tag: Tag(key: "k", value: "v"), now: 11, actor: .anonymous)
            try await store.setModelVersionTag(
                name: "m", version: 2, tag: Tag(key: "k", value: "w"), now: 12, actor: .anonymous)
            try await store.setModelVersionTag(
                name: "m", version: 2, tag: Tag(key: "j", value: "x"), now: 12, actor: .anonymous)
            try await store.deleteModelVersionTag(name: "m", version: 2, key: "j", now: 13, actor: .anonymous)
            #expect(try await store.modelVersion(name: "m", version: 2)?.tags == [Tag(key: "k", value: "w")])

            _ = try await store.transitionStage(
                name: "m", version: 1, to: .staging, archiveExisting: false, now: 14, actor: .anonymous)
            _ = try await store.transitionStage(
                name: "m", version: 2, to: .staging, archiveExisting: false, now: 15, actor: .anonymous)
            let three = try await store.transitionStage(
                name: "m", version: 3, to: .staging, archiveExisting: true, now: 16, actor: .anonymous)
            #expect(three.currentStage == .staging)
            #expect(try await store.modelVersion(name: "m", version: 1)?.currentStage == .archived)
            #expect(try await store.modelVersion(name: "m", version: 2)?.currentStage == .archived)
            let latest = try await store.latestVersions(name: "m", stages: [.staging, .archived, .production])
            #expect(latest.map(\.version) == [2, 3])
            #expect(try await store.registeredModel(named: "m")?.latestVersions.map(\.version) == [2, 3, 4])
            #expect(try await store.registeredModel(named: "m")?.lastUpdatedTimestamp == 16)

            try await store.deleteModelVersion(name: "m", version: 4, now: 17, actor: .anonymous)
            #expect(try await store.modelVersion(name: "m", version: 4) == nil)
            #expect(try await store.latestVersions(name: "m", stages: [.none]).isEmpty)
            for failing in [
                { try await store.deleteModelVersion(name: "m", version: 4, now: 18, actor: .anonymous) },
                { try await store.deleteModelVersion(name: "nope", version: 1, now: 18, actor: .anonymous) },
                {
                    _ = try await store.transitionStage(
                        name: "m", version: 4, to: .production, archiveExisting: false, now: 18, actor: .anonymous)
                },
                { try await store.setAlias(name: "m", alias: "a", version: 4, now: 18, actor: .anonymous) },
                {
                    try await store.setModelVersionTag(
                        name: "m", version: 4, tag: Tag(key: "k", value: "v"), now: 18, actor: .anonymous)
                },
                { _ = try await store.latestVersions(name: "nope", stages: [.none]) },
                { _ = try await store.version(name: "nope", alias: "a") },
                { _ = try await store.createModelVersion(draft("nope"), now: 18, actor: .anonymous) },
            ] as [() async throws -> Void] {
                #expect(await errorCode(failing) == "RESOURCE_DOES_NOT_EXIST")
            }
        }
    }

    @Test(arguments: StoreBackend.all)
    func aliasesAreUniquePerModelAndGoWithTheirVersion(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.registry
            for name in ["m", "n"] {
                _ = try await store.createRegisteredModel(
                    name: name, description: "", tags: [], now: 1, actor: .anonymous)
                for _ in 1...3 { _ = try await store.createModelVersion(draft(name), now: 2, actor: .anonymous) }
            }
            try await store.setAlias(name: "m", alias: "champion", version: 1, now: 3, actor: .anonymous)
            try await store.setAlias(name: "m", alias: "champion", version: 2, now: 4, actor: .anonymous)
            try await store.setAlias(name: "m", alias: "challenger", version: 2, now: 4, actor: .anonymous)
            try await store.setAlias(name: "n", alias: "champion", version: 3, now: 5, actor: .anonymous)
            #expect(try await store.version(name: "m", alias: "champion")?.version == 2)
            #expect(try await store.version(name: "n", alias: "champion")?.version == 3)
            #expect(try await store.modelVersion(name: "m", version: 2)?.aliases == ["challenger", "champion"])
            #expect(try await store.modelVersion(name: "m", version: 1)?.aliases == [])
            #expect(
                try await store.registeredModel(named: "m")?.aliases == [
                    ModelAlias(alias: "challenger", version: 2), ModelAlias(alias: "champion", version: 2),
                ])
            try await store.deleteAlias(name: "m", alias: "challenger", now: 6, actor: .anonymous)
            #expect(try await store.version(name: "m", alias: "challenger") == nil)
            try await store.deleteModelVersion(name: "m", version: 2, now: 7, actor: .anonymous)
            #expect(try await store.version(name: "m", alias: "champion") == nil)
            #expect(try await store.registeredModel(named: "m")?.aliases == [])
            #expect(try await store.version(name: "n", alias: "champion")?.version == 3)
            let trail = try await store.auditEvents(name: "m").filter { $0.action.contains("alias") }
            #expect(
                trail.map(\.action) == [
                    "set_registered_model_alias", "set_registered_model_alias", "set_registered_model_alias",
                    "delete_registered_model_alias",
                ])
            #expect(trail[1].before == .object([("alias", "champion"), ("version", "1")]))
            #expect(trail[3].version == 2)
        }
    }

    @Test(arguments: StoreBackend.all)
    func auditTrailFollowsRenamesAndSurvivesDelete(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let registry = stores.registryService
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
            #expect(trail[4].before?["versions"] == .integer(1))
            #expect(try await registry.history(name: "old").map(\.action).last == "rename_registered_model")

            let store = stores.registry
            _ = try await store.createRegisteredModel(name: "t", description: "", tags: [], now: 1, actor: Actor("x"))
            _ = try await store.createModelVersion(draft("t"), now: 2, actor: Actor("y"))
            try await store.setModelVersionTag(
                name: "t", version: 1, tag: Tag(key: "k", value: "v"), now: 3, actor: .anonymous)
            _ = try await store.transitionStage(
                name: "t", version: 1, to: .production, archiveExisting: true, now: 4, actor: .anonymous)
            let events = try await store.auditEvents(name: "t")
            #expect(
                events.map(\.action) == [
                    "create_registered_model", "create_model_version", "set_model_version_tag",
                    "transition_model_version_stage",
                ])
            #expect(events.map(\.timestamp) == [1, 2, 3, 4])
            #expect(events[1].actor == "y")
            #expect(events[1].version == 1)
            #expect(events[2].after == .object([("k", "v")]))
            #expect(events[3].before == .object([("current_stage", "None")]))
        }
    }

    @Test(arguments: StoreBackend.all)
    func concurrentCreatesOfOneNameMakeOneModel(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores async throws in
            let store = stores.registry
            let codes = await withTaskGroup(of: String?.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        await errorCode {
                            _ = try await store.createRegisteredModel(
                                name: "race", description: "\(index)", tags: [], now: Int64(index), actor: .anonymous)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == nil }.count == 1)
            #expect(codes.filter { $0 == "RESOURCE_ALREADY_EXISTS" }.count == 15)
            #expect(try await store.auditEvents(name: "race").count == 1)
        }
    }

    @Test(arguments: StoreBackend.all)
    func concurrentVersionsGetUniqueContiguousNumbers(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.registry
            _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], now: 1, actor: .anonymous)
            let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var numbers: [Int64] = []
                        for index in 0..<10 {
                            numbers.append(
                                try await store.createModelVersion(
                                    ModelVersionDraft(
                                        name: "m", source: "s3://b/\(task)/\(index)", runID: "", runLink: "",
                                        description: "", tags: [], storageLocation: nil), now: 2, actor: .anonymous
                                ).version)
                        }
                        return numbers
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(numbers.sorted() == Array(1...80))
            let all = try await store.searchModelVersions(
                try ModelVersionSearch(filter: "name = 'm'", orderBy: [], maxResults: nil, pageToken: nil))
            #expect(all.items.count == 80)
            #expect(Set(all.items.map(\.source)).count == 80)
        }
    }
}
