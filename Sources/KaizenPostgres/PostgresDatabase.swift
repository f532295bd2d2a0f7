import KaizenCore
public import Logging
public import PostgresNIO

/// A pool of connections to one PostgreSQL database, shared by Kaizen's stores, and the schema brought up to date.
///
/// Writes run in a transaction at READ COMMITTED and are retried when the server cancels them for a serialization
/// failure or a deadlock, so a store's write either commits whole or throws. Uniqueness (names, version numbers,
/// aliases) is the database's to enforce: replicas share no lock but the database's. A text PostgreSQL cannot hold
/// (the NUL character) is the client's error, `INVALID_PARAMETER_VALUE`, whichever statement meets it.
public final class PostgresDatabase: Sendable {
    /// The pooled client the stores lease connections from.
    public let client: PostgresClient
    let logger: Logger
    /// Runs the client's pool until `close()`; owned by this database, which is why it is a task and not a service.
    let runner: Task<Void, Never>

    /// Connects to `location` and brings its schema up to date (at most one replica migrates at a time).
    ///
    /// - Parameters:
    ///   - maximumConnections: the pool's size; each replica holds at most this many connections.
    ///   - schema: a schema to work in instead of the user's default (`search_path`); it is created if missing.
    ///   - connectTimeout: how long to wait for the first connection; the pool itself retries for ever.
    public static func open(
        _ location: PostgresLocation, maximumConnections: Int = 16, schema: String? = nil,
        connectTimeout: Duration = .seconds(15), logger: Logger = PostgresDatabase.defaultLogger
    ) async throws -> PostgresDatabase {
        try await open(
            location, maximumConnections: maximumConnections, schema: schema, connectTimeout: connectTimeout,
            logger: logger, migratingThrough: nil)
    }

    /// A database migrated through migration `last` only (all of them when nil): for tests of upgrades.
    static func open(
        _ location: PostgresLocation, maximumConnections: Int = 16, schema: String? = nil,
        connectTimeout: Duration = .seconds(15), logger: Logger = PostgresDatabase.defaultLogger,
        migratingThrough last: String?
    ) async throws -> PostgresDatabase {
        var configuration = try location.configuration(maximumConnections: maximumConnections)
        if let schema {
            guard schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw PostgresStoreError("A schema name is letters, digits and '_' only: '\(schema)'")
            }
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        let database = PostgresDatabase(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
        do {
            try await database.waitForConnection(timeout: connectTimeout)
            try await database.migrate(creatingSchema: schema, through: last)
        } catch {
            await database.close()
            throw PostgresStoreError(
                "Cannot open the PostgreSQL database \(location.database) at "
                    + "\(location.socketDirectory ?? location.host):\(location.port): \(String(reflecting: error))")
        }
        return database
    }

    /// The pool's own messages below warnings (each failed connection attempt, for one) are left out.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "kaizen.postgres")
        logger.logLevel = .warning
        return logger
    }

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Waits until the server answers a query, at most `timeout`: a wrong address or a server that is down is an
    /// error at start rather than requests that hang.
    func waitForConnection(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.client.query("SELECT 1", logger: self.logger)
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let answered = try await group.next() ?? false
            group.cancelAll()
            guard answered else { throw PostgresStoreError("no answer within \(timeout)") }
        }
    }

    /// Closes every connection; the stores cannot be used afterwards.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// Runs `body` on one connection, outside a transaction: for reads that are one statement, or that tolerate
    /// seeing commits between their statements.
    public func read<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch let error as PSQLError where Self.isUnstorableText(error) {
            throw Self.unstorableText
        }
    }

    /// Runs `body` in one transaction and commits it; the transaction is retried from the start (at most 5 times)
    /// when the server aborts it for a serialization failure or a deadlock.
    public func write<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        // A connection that cannot roll back is closed by the pool; the original error matters more.
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where Self.isRetryable(error) && attempt < 5 {
                try await Task.sleep(for: .milliseconds(attempt * attempt * 5))
            } catch let error as PSQLError where Self.isUnstorableText(error) {
                throw Self.unstorableText
            }
        }
    }

    /// True for the errors after which running the transaction again can succeed.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// True when the server refused a text parameter for a character its encoding has no place for: U+0000 in UTF-8
    /// (`22021`, which no PostgreSQL text can hold), or one the database's encoding lacks (`22P05`).
    static func isUnstorableText(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "22021" || state == "22P05"
    }

    /// What a client is told when a value it sent cannot be stored as PostgreSQL text.
    static let unstorableText = KaizenError.invalidParameter(
        "A value contains a character the PostgreSQL backend store cannot hold (the NUL character, U+0000, "
            + "or one outside the database's encoding).")

    /// True when `error` is a unique or primary-key violation, optionally of the named constraint.
    public static func isUniqueViolation(_ error: any Error, constraint: String? = nil) -> Bool {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" else { return false }
        return constraint == nil || error.serverInfo?[.constraintName] == constraint
    }
}
