import KaizenCore
public import KaizenDeploy
public import KaizenRegistry
import Logging
import PostgresNIO

/// The PostgreSQL implementation of `EndpointStore`; each change and its audit record commit together.
///
/// Replicas write the same rows safely: an endpoint changes only from the revision its writer read (the row is
/// locked while the revision is checked), a report is kept once by key, and a partial unique index allows one
/// unfinished rollout per endpoint.
public struct PostgresEndpointStore: EndpointStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    var logger: Logger { database.logger }

    static func endpoint(_ row: NamedRow) throws -> Endpoint {
        func weights(_ column: String) throws -> [VersionWeight] {
            try Endpoint.weights(from: try JSONValue(parsing: try row.get(column, as: String.self)), field: column)
        }
        return Endpoint(
            name: try row.get("name"), modelName: try row.get("model_name"), traffic: try weights("traffic"),
            shadow: try weights("shadow"), followAlias: try row.get("follow_alias"),
            aliasRollout: try row.get("alias_rollout", as: String?.self).map {
                try AliasRollout(json: try JSONValue(parsing: $0))
            },
            description: try row.get("description"), revision: try row.get("revision"),
            creationTimestamp: try row.get("creation_timestamp"),
            lastUpdatedTimestamp: try row.get("last_updated_timestamp"))
    }

    static func alreadyExists(_ name: String) -> KaizenError {
        KaizenError(.resourceAlreadyExists, "Endpoint '\(name)' already exists")
    }

    public func createEndpoint(_ endpoint: Endpoint, actor: Actor) async throws {
        let logger = logger
        do {
            try await database.write { connection in
                let inserted = try await connection.query(
                    """
                    INSERT INTO endpoints(name, model_name, traffic, shadow, follow_alias, alias_rollout, description,
                                          revision, creation_timestamp, last_updated_timestamp)
                    VALUES (\(endpoint.name), \(endpoint.modelName), \(Endpoint.weightsJSON(endpoint.traffic).jsonText),
                            \(Endpoint.weightsJSON(endpoint.shadow).jsonText), \(endpoint.followAlias),
                            \(endpoint.aliasRollout?.json.jsonText), \(endpoint.description), \(endpoint.revision),
                            \(endpoint.creationTimestamp), \(endpoint.lastUpdatedTimestamp))
                    ON CONFLICT (name) DO NOTHING RETURNING name
                    """, logger: logger
                ).collect()
                guard !inserted.isEmpty else { throw Self.alreadyExists(endpoint.name) }
                try await PostgresRegistryStore.audit(
                    connection, logger, "create_endpoint", name: endpoint.modelName, after: endpoint.json,
                    now: endpoint.lastUpdatedTimestamp, actor: actor)
            }
        } catch  where PostgresDatabase.isUniqueViolation(error) {
            throw Self.alreadyExists(endpoint.name)
        }
    }

    public func endpoint(named name: String) async throws -> Endpoint? {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetchOne(connection, "SELECT * FROM endpoints WHERE name = \(name)", logger: logger)
                .map(Self.endpoint)
        }
    }

    public func listEndpoints() async throws -> [Endpoint] {
        let logger = logger
        return try await database.read { connection in
            try await NamedRow.fetch(connection, "SELECT * FROM endpoints ORDER BY name", logger: logger)
                .map(Self.endpoint)
        }
    }

    public func updateEndpoint(_ endpoint: Endpoint, expectedRevision: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            // The row lock makes the revision check and the update one step: of two writers from the same revision,
            // the second sees the first's revision and fails.
            guard
                let row = try await NamedRow.fetchOne(
                    connection, "SELECT * FROM endpoints WHERE name = \(endpoint.name) FOR UPDATE", logger: logger)
            else { throw KaizenError.notFound("Endpoint '\(endpoint.name)' does not exist") }
            let before = try Self.endpoint(row)
            guard before.revision == expectedRevision else {
                throw KaizenError(
                    .custom("RESOURCE_CONFLICT", 409),
                    "Endpoint '\(endpoint.name)' changed meanwhile (revision \(before.revision), expected "
                        + "\(expectedRevision)); read it again and retry")
            }
            try await connection.query(
                """
                UPDATE endpoints SET model_name = \(endpoint.modelName),
                    traffic = \(Endpoint.weightsJSON(endpoint.traffic).jsonText),
                    shadow = \(Endpoint.weightsJSON(endpoint.shadow).jsonText), follow_alias = \(endpoint.followAlias),
                    alias_rollout = \(endpoint.aliasRollout?.json.jsonText), description = \(endpoint.description),
                    revision = \(endpoint.revision), last_updated_timestamp = \(endpoint.lastUpdatedTimestamp)
                WHERE name = \(endpoint.name)
                """, logger: logger)
            try await PostgresRegistryStore.audit(
                connection, logger, "update_endpoint", name: endpoint.modelName, before: before.json,
                after: endpoint.json, now: endpoint.lastUpdatedTimestamp, actor: actor)
        }
    }

    public func deleteEndpoint(named name: String, now: Int64, actor: Actor) async throws {
        let logger = logger
        try await database.write { connection in
            guard
                let row = try await NamedRow.fetchOne(
                    connection, "DELETE FROM endpoints WHERE name = \(name) RETURNING *", logger: logger)
            else { throw KaizenError.notFound("Endpoint '\(name)' does not exist") }
            let before = try Self.endpoint(row)
            try await PostgresRegistryStore.audit(
                connection, logger, "delete_endpoint", name: before.modelName, before: before.json, now: now,
                actor: actor)
        }
    }

    public func recordReport(_ report: ReplicaReport, receivedAt: Int64) async throws -> Bool {
        let logger = logger
        return try await database.write { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO endpoint_reports(endpoint, replica_id, sequence, window_start, window_end, received_at,
                                             body)
                VALUES (\(report.endpoint), \(report.replicaID), \(Int64(clamping: report.sequence)),
                        \(report.windowStart), \(report.windowEnd), \(receivedAt), \(report.json.jsonText))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger
            ).collect()
            return !inserted.isEmpty
        }
    }

    public func reports(endpoint: String, since: Int64) async throws -> [ReplicaReport] {
        let logger = logger
        return try await database.read { connection in
            var reports: [ReplicaReport] = []
            for try await body in try await connection.query(
                """
                SELECT body FROM endpoint_reports WHERE endpoint = \(endpoint) AND received_at >= \(since)
                ORDER BY received_at, replica_id, sequence
                """, logger: logger
            ).decode(String.self) {
                reports.append(try ReplicaReport(json: try JSONValue(parsing: body)))
            }
            return reports
        }
    }

    public func deleteReports(receivedBefore cutoff: Int64) async throws -> Int {
        let logger = logger
        return try await database.write { connection in
            try await connection.query(
                "DELETE FROM endpoint_reports WHERE received_at < \(cutoff) RETURNING 1", logger: logger
            ).collect().count
        }
    }
}
