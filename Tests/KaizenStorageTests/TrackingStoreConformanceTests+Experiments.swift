import KaizenCore
import KaizenTracking
import Testing

extension TrackingStoreConformanceTests {
    @Test(arguments: StoreBackend.all) func experimentsRenameDeleteRestoreAndTags(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let a = try await tracking.createExperiment(name: "a", artifactLocation: "s3://bucket/a", tags: [])
            let b = try await tracking.createExperiment(
                name: "b", artifactLocation: nil, tags: [Tag(key: "k", value: "1"), Tag(key: "k", value: "2")])
            #expect([a, b] == ["1", "2"])
            #expect(try await tracking.experiment(id: a).artifactLocation == "s3://bucket/a")
            #expect(try await tracking.experiment(id: b).artifactLocation == "mlflow-artifacts:/2")
            #expect(try await tracking.experiment(id: b).tags == [Tag(key: "k", value: "2")])
            await #expect(throws: TrackingError.experimentExists("a")) {
                try await tracking.createExperiment(name: "a", artifactLocation: nil, tags: [])
            }
            // A refused name draws no id.
            #expect(try await tracking.createExperiment(name: "c", artifactLocation: nil, tags: []) == "3")
            await #expect(throws: TrackingError.experimentExists("b")) {
                try await tracking.renameExperiment(id: a, to: "b")
            }
            try await tracking.renameExperiment(id: a, to: "a2")
            #expect(try await tracking.experiment(named: "a2").id == a)
            #expect(try await tracking.store.experiment(named: "a") == nil)
            await #expect(throws: TrackingError.experimentNotFound("99")) {
                try await tracking.renameExperiment(id: "99", to: "z")
            }

            try await tracking.setExperimentTag(id: a, tag: Tag(key: "team", value: "core"))
            try await tracking.setExperimentTag(id: a, tag: Tag(key: "team", value: "vision"))
            try await tracking.setExperimentTag(id: a, tag: Tag(key: "a", value: "x"))
            #expect(
                try await tracking.experiment(id: a).tags == [
                    Tag(key: "a", value: "x"), Tag(key: "team", value: "vision"),
                ])
            try await tracking.deleteExperimentTag(id: a, key: "a")
            #expect(try await tracking.experiment(id: a).tags == [Tag(key: "team", value: "vision")])
            await #expect(throws: KaizenError.notFound("No tag with name: a in experiment with id \(a)")) {
                try await tracking.deleteExperimentTag(id: a, key: "a")
            }

            try await tracking.deleteExperiment(id: a)
            #expect(try await tracking.experiment(id: a).lifecycleStage == .deleted)
            await #expect(throws: TrackingError.experimentNotActive(a, stage: .deleted)) {
                try await tracking.store.setExperimentLifecycle(id: a, to: .deleted, now: 1)
            }
            await #expect(throws: TrackingError.experimentNotActive(a, stage: .deleted)) {
                try await tracking.setExperimentTag(id: a, tag: Tag(key: "x", value: "y"))
            }
            try await tracking.restoreExperiment(id: a)
            await #expect(
                throws: KaizenError.invalidParameter(
                    "Cannot restore an active experiment. Current lifecycle stage: active")
            ) { try await tracking.restoreExperiment(id: a) }
            await #expect(throws: TrackingError.experimentNotFound("42")) {
                try await tracking.deleteExperiment(id: "42")
            }
            #expect(try await tracking.store.experiment(id: "x") == nil)
        }
    }

    @Test(arguments: StoreBackend.all) func searchExperimentsFiltersOrdersAndPages(backend: StoreBackend) async throws {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            for (index, name) in ["beta", "Alpha", "alpha-2", "gamma"].enumerated() {
                _ = try await tracking.createExperiment(
                    name: name, artifactLocation: nil,
                    tags: [Tag(key: "team", value: index % 2 == 0 ? "Core" : "vision")])
            }
            try await tracking.deleteExperiment(id: "4")
            func names(
                _ filter: String?, _ order: [String] = [], view: ViewType = .activeOnly, max: Int64? = nil,
                token: String? = nil
            ) async throws -> Page<Experiment> {
                try await tracking.searchExperiments(
                    ExperimentSearch(filter: filter, orderBy: order, viewType: view, maxResults: max, pageToken: token))
            }
            // Byte order: upper case before lower case.
            #expect(try await names(nil, ["name ASC"]).items.map(\.name) == ["Alpha", "Default", "alpha-2", "beta"])
            #expect(try await names(nil, ["name DESC"]).items.map(\.name) == ["beta", "alpha-2", "Default", "Alpha"])
            #expect(try await names("name LIKE 'alpha%'").items.map(\.name) == ["alpha-2"])
            #expect(Set(try await names("name ILIKE 'alpha%'").items.map(\.name)) == ["Alpha", "alpha-2"])
            #expect(Set(try await names("tags.team = 'Core'").items.map(\.name)) == ["beta", "alpha-2"])
            #expect(try await names("tags.team ILIKE 'core' AND name != 'beta'").items.map(\.name) == ["alpha-2"])
            #expect(try await names("attributes.experiment_id = '2'").items.map(\.name) == ["Alpha"])
            #expect(try await names(nil, view: .deletedOnly).items.map(\.name) == ["gamma"])
            #expect(try await names(nil, view: .all).items.count == 5)
            #expect(try await names("creation_time > 0", view: .all).items.count == 5)
            let first = try await names(nil, ["experiment_id DESC"], view: .all, max: 2)
            #expect(first.items.map(\.id) == ["4", "3"])
            let second = try await names(nil, ["experiment_id DESC"], view: .all, max: 2, token: first.nextPageToken)
            #expect(second.items.map(\.id) == ["2", "1"])
            let last = try await names(nil, ["experiment_id DESC"], view: .all, max: 2, token: second.nextPageToken)
            #expect(last.items.map(\.id) == ["0"])
            #expect(last.nextPageToken == nil)
            // Equal creation times fall back to the id, descending.
            let tied = try await names(nil, ["creation_time ASC"], view: .all)
            #expect(tied.items.map(\.creationTime) == tied.items.map(\.creationTime).sorted())
            #expect(try await names(nil).items.first { $0.name == "beta" }?.tags == [Tag(key: "team", value: "Core")])
        }
    }

    /// Replicas creating the same experiment at once: one wins, the others are told it exists, none sees a 5xx.
    @Test(arguments: StoreBackend.all) func concurrentCreatesOfOneNameHaveOneWinner(backend: StoreBackend) async throws
    {
        try await withTracking(backend) { tracking async throws in
            try await tracking.bootstrap()
            let outcomes = try await withThrowingTaskGroup(of: Result<String, KaizenError>.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        do {
                            return .success(
                                try await tracking.createExperiment(name: "race", artifactLocation: nil, tags: []))
                        } catch let error as KaizenError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            let failures = outcomes.compactMap { outcome -> KaizenError? in
                if case .failure(let error) = outcome { return error }
                return nil
            }
            #expect(failures.count == 15)
            #expect(failures.allSatisfy { $0 == TrackingError.experimentExists("race") })
            #expect(try await tracking.experiment(named: "race").id == winners.first)
        }
    }
}
