import KaizenCore
import KaizenTracking
import Testing

@testable import KaizenPostgres

/// Reading backend store URIs as MLflow users write them; no server needed.
struct PostgresLocationTests {
    @Test func readsTheFormsMLflowUsersWrite() throws {
        let plain = try PostgresLocation(uri: "postgresql://kaizen:s%40cret@db.internal:6543/tracking")
        #expect(plain.host == "db.internal")
        #expect(plain.port == 6543)
        #expect(plain.username == "kaizen")
        #expect(plain.password == "s@cret")
        #expect(plain.database == "tracking")
        #expect(plain.socketDirectory == nil)
        #expect(plain.sslMode == .prefer)

        let driver = try PostgresLocation(uri: "postgresql+psycopg2://u@localhost/mlflow?sslmode=disable")
        #expect(driver.host == "localhost")
        #expect(driver.port == 5432)
        #expect(driver.password == nil)
        #expect(driver.sslMode == .disable)

        let socket = try PostgresLocation(uri: "postgresql://u@/mlflow?host=/var/run/postgresql")
        #expect(socket.socketDirectory == "/var/run/postgresql")
        #expect(socket.database == "mlflow")
        #expect(try PostgresLocation(uri: "postgres://u@h/d").host == "h")
        #expect(PostgresLocation.isPostgres("postgresql+pg8000://u@h/d"))
        #expect(!PostgresLocation.isPostgres("sqlite:///x.db"))
    }

    @Test(arguments: [
        "postgresql://u@h", "postgresql://u@h/", "postgresql:///d", "postgresql://u@h:0/d",
        "postgresql://u@h/d?sslmode=x",
        "mysql://u@h/d", "postgresql://u@h/a/b",
    ])
    func refusesIncompleteURIs(uri: String) {
        #expect(throws: PostgresStoreError.self) { try PostgresLocation(uri: uri) }
    }

    @Test func hidesThePasswordInMessages() {
        #expect(PostgresLocation.redacted("postgresql://u:pw@h/d") == "postgresql://u:***@h/d")
        #expect(PostgresLocation.redacted("postgresql://u@h/d") == "postgresql://u@h/d")
        #expect(throws: PostgresStoreError.self) { try PostgresLocation(uri: "postgresql://u:pw@h") }
        do {
            _ = try PostgresLocation(uri: "postgresql://u:topsecret@h")
        } catch {
            #expect(!"\(error)".contains("topsecret"))
        }
    }
}

/// Migrations on a real PostgreSQL server.
@Suite(.enabled(if: TestPostgres.isRequired, "no PostgreSQL server (KAIZEN_TEST_POSTGRES_URL)"))
struct PostgresMigrationTests {
    @Test func replicasStartingTogetherMigrateOnceAndARestartRunsNone() async throws {
        let first = try await TestPostgres.open()
        let schema = try await first.currentSchema()
        let url = try #require(TestPostgres.url)
        // Drop what the first open did, then let 6 replicas open the empty schema at the same time.
        try await first.dropSchema()
        let opened = try await withThrowingTaskGroup(of: PostgresDatabase.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await PostgresDatabase.open(PostgresLocation(uri: url), maximumConnections: 2, schema: schema)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let applied = try await opened[0].appliedMigrations()
        #expect(applied == PostgresDatabase.migrationNames)
        #expect(Set(applied).count == applied.count)
        for database in opened { await database.close() }

        let restarted = try await PostgresDatabase.open(PostgresLocation(uri: url), schema: schema)
        #expect(try await restarted.appliedMigrations() == applied)
        await TestPostgres.drop(restarted)
        await first.close()
    }

    /// Params and tags written before `tracking-v4` gave them a `value_prefix` column are found by equality after it,
    /// short, long and sharing a long prefix alike.
    @Test func paramsAndTagsWrittenBeforeTheirPrefixColumnAreFoundAfterIt() async throws {
        let url = try #require(TestPostgres.url)
        let schema = TestPostgres.newSchema()
        let before = try await PostgresDatabase.open(
            PostgresLocation(uri: url), schema: schema, migratingThrough: "tracking-v3")
        #expect(try await before.appliedMigrations().last == "tracking-v3")
        let long = String(repeating: "é", count: 250)
        let values = ["short", long, long + "x"]
        var tracking = TrackingService(
            store: PostgresTrackingStore(database: before), defaultArtifactRoot: "mlflow-artifacts:/",
            workingDirectory: "/srv")
        try await tracking.bootstrap()
        for (index, value) in values.enumerated() {
            let run = try await tracking.createRun(
                experimentID: "0", userID: "", runName: "r\(index)", startTime: Int64(index), tags: [])
            try await tracking.logBatch(
                runID: run.info.runID, metrics: [], params: [Param(key: "p", value: value)],
                tags: [KaizenCore.Tag(key: "t", value: value)])
        }
        await before.close()

        let after = try await PostgresDatabase.open(PostgresLocation(uri: url), schema: schema)
        #expect(try await after.appliedMigrations() == PostgresDatabase.migrationNames)
        tracking = TrackingService(
            store: PostgresTrackingStore(database: after), defaultArtifactRoot: "mlflow-artifacts:/",
            workingDirectory: "/srv")
        for (index, value) in values.enumerated() {
            for entity in ["params.p", "tags.t"] {
                let found = try await tracking.searchRuns(
                    try RunSearch(experimentIDs: ["0"], filter: "\(entity) = '\(value)'", orderBy: []))
                #expect(found.items.map(\.info.runName) == ["r\(index)"], "\(entity) #\(index)")
            }
        }
        await TestPostgres.drop(after)
    }

    /// Runs recorded before `tracking-v5` kept renderings are found, rendered, after it, and a write to one after it
    /// still clears what is kept of it.
    @Test func runsRecordedBeforeRenderingsWereKeptAreRenderedAfter() async throws {
        let url = try #require(TestPostgres.url)
        let schema = TestPostgres.newSchema()
        let before = try await PostgresDatabase.open(
            PostgresLocation(uri: url), schema: schema, migratingThrough: "tracking-v4")
        var tracking = TrackingService(
            store: PostgresTrackingStore(database: before), defaultArtifactRoot: "mlflow-artifacts:/",
            workingDirectory: "/srv")
        try await tracking.bootstrap()
        let id = try await tracking.createRun(experimentID: "0", userID: "", runName: "r", startTime: 1, tags: [])
            .info.runID
        try await tracking.logParam(runID: id, param: Param(key: "p", value: "1"))
        let search = try RunSearch(experimentIDs: ["0"], filter: nil, orderBy: [])
        _ = try await tracking.searchRuns(search)
        await before.close()

        let after = try await PostgresDatabase.open(PostgresLocation(uri: url), schema: schema)
        tracking = TrackingService(
            store: PostgresTrackingStore(database: after), defaultArtifactRoot: "mlflow-artifacts:/",
            workingDirectory: "/srv")
        let rendering = RunRendering { Array(String(reflecting: $0).utf8) }
        for _ in 1...2 {
            let found = try await tracking.searchRenderedRuns(search, rendering: rendering).items
            #expect(found == [rendering.render(try await tracking.run(id: id))])
        }
        try await tracking.setTag(runID: id, tag: KaizenCore.Tag(key: "t", value: "x"))
        let changed = try await tracking.run(id: id)
        #expect(changed.tags.map(\.key).contains("t"))
        #expect(
            try await tracking.searchRenderedRuns(search, rendering: rendering).items == [rendering.render(changed)])
        #expect(try await tracking.searchRuns(search).items == [changed])
        await TestPostgres.drop(after)
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresDatabase.open(
                PostgresLocation(uri: "postgresql://u:pw@127.0.0.1:1/d?sslmode=disable"))
        }
        #expect(error?.description.contains("127.0.0.1:1") == true)
        #expect(error?.description.contains("pw") == false)
    }
}
