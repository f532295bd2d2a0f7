import Foundation
import KaizenPostgres
import Testing

/// The PostgreSQL server the tests use: `KAIZEN_TEST_POSTGRES_URL`, which `make swift-test` sets after starting a
/// throwaway cluster (scripts/services.sh). Without it the PostgreSQL cases are left out, except in CI, where a
/// missing server is a failure rather than a silent skip.
enum TestPostgres {
    static var url: String? {
        ProcessInfo.processInfo.environment["KAIZEN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when the PostgreSQL cases must run: a server is given, or this is CI (where they then fail).
    static var isRequired: Bool {
        url != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// A database of its own for one test: a fresh schema on the test server, dropped by `drop(_:)`.
    static func open(maximumConnections: Int = 8) async throws -> PostgresDatabase {
        guard let url else {
            throw PostgresTestError("KAIZEN_TEST_POSTGRES_URL is not set: run the tests with `make swift-test`")
        }
        return try await PostgresDatabase.open(
            PostgresLocation(uri: url), maximumConnections: maximumConnections, schema: newSchema())
    }

    /// The name of a schema no other test uses.
    static func newSchema() -> String {
        "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Drops the schema `database` works in and closes it.
    static func drop(_ database: PostgresDatabase) async {
        _ = try? await database.dropSchema()
        await database.close()
    }
}

struct PostgresTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The store implementations a conformance test runs on: SQLite always, PostgreSQL when a server is given and
/// always in CI, so both run the same tests.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The backends to run on here.
    static var all: [StoreBackend] {
        TestPostgres.isRequired ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }
}
