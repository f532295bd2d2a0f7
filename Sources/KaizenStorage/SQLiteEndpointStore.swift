public import GRDB
import KaizenCore
public import KaizenDeploy
public import KaizenRegistry

/// The SQLite implementation of `EndpointStore`; each change and its audit record commit together.
public struct SQLiteEndpointStore: EndpointStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    static func endpoint(_ row: Row) throws -> Endpoint {
        func weights(_ column: String) throws -> [VersionWeight] {
            let text: String = row[column]
            return try Endpoint.weights(from: try JSONValue(parsing: text), field: column)
        }
        return Endpoint(
            name: row["name"], modelName: row["model_name"], traffic: try weights("traffic"),
            shadow: try weights("shadow"), followAlias: row["follow_alias"],
            aliasRollout: try (row["alias_rollout"] as String?).map {
                try AliasRollout(json: try JSONValue(parsing: $0))
            },
            description: row["description"],
            revision: row["revision"], creationTimestamp: row["creation_timestamp"],
            lastUpdatedTimestamp: row["last_updated_timestamp"])
    }

    static func arguments(_ endpoint: Endpoint) -> StatementArguments {
        [
            endpoint.modelName, Endpoint.weightsJSON(endpoint.traffic).jsonText,
            Endpoint.weightsJSON(endpoint.shadow).jsonText, endpoint.followAlias, endpoint.aliasRollout?.json.jsonText,
            endpoint.description,
            endpoint.revision, endpoint.lastUpdatedTimestamp, endpoint.name,
        ]
    }

    public func createEndpoint(_ endpoint: Endpoint, actor: Actor) async throws {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM endpoints WHERE name = ?", arguments: [endpoint.name]) == nil
            else {
                throw KaizenError(.resourceAlreadyExists, "Endpoint '\(endpoint.name)' already exists")
            }
            try db.execute(
                sql: """
                    INSERT INTO endpoints(model_name, traffic, shadow, follow_alias, alias_rollout, description,
                                          revision, last_updated_timestamp, name, creation_timestamp)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.arguments(endpoint) + [endpoint.creationTimestamp])
            try SQLiteRegistryStore.audit(
                db, "create_endpoint", name: endpoint.modelName, after: endpoint.json,
                now: endpoint.lastUpdatedTimestamp, actor: actor)
        }
    }

    public func endpoint(named name: String) async throws -> Endpoint? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM endpoints WHERE name = ?", arguments: [name]).map(Self.endpoint)
        }
    }

    public func listEndpoints() async throws -> [Endpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM endpoints ORDER BY name").map(Self.endpoint)
        }
    }

    public func updateEndpoint(_ endpoint: Endpoint, expectedRevision: Int64, actor: Actor) async throws {
        try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM endpoints WHERE name = ?", arguments: [endpoint.name])
            else { throw KaizenError.notFound("Endpoint '\(endpoint.name)' does not exist") }
            let before = try Self.endpoint(row)
            guard before.revision == expectedRevision else {
                throw KaizenError(
                    .custom("RESOURCE_CONFLICT", 409),
                    "Endpoint '\(endpoint.name)' changed meanwhile (revision \(before.revision), expected "
                        + "\(expectedRevision)); read it again and retry")
            }
            try db.execute(
                sql: """
                    UPDATE endpoints SET model_name = ?, traffic = ?, shadow = ?, follow_alias = ?, alias_rollout = ?,
                                         description = ?, revision = ?, last_updated_timestamp = ?
                    WHERE name = ?
                    """, arguments: Self.arguments(endpoint))
            try SQLiteRegistryStore.audit(
                db, "update_endpoint", name: endpoint.modelName, before: before.json, after: endpoint.json,
                now: endpoint.lastUpdatedTimestamp, actor: actor)
        }
    }

    public func recordReport(_ report: ReplicaReport, receivedAt: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO endpoint_reports(endpoint, replica_id, sequence, window_start, window_end,
                                                           received_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    report.endpoint, report.replicaID, Int64(clamping: report.sequence), report.windowStart,
                    report.windowEnd, receivedAt, report.json.jsonText,
                ])
            return db.changesCount > 0
        }
    }

    public func reports(endpoint: String, since: Int64) async throws -> [ReplicaReport] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT body FROM endpoint_reports WHERE endpoint = ? AND received_at >= ?
                    ORDER BY received_at, replica_id, sequence
                    """, arguments: [endpoint, since]
            ).map { row in try ReplicaReport(json: try JSONValue(parsing: row["body"] as String)) }
        }
    }

    public func deleteReports(receivedBefore cutoff: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM endpoint_reports WHERE received_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    public func createRollout(_ rollout: Rollout, modelName: String, actor: Actor) async throws {
        try await pool.write { db in
            if try Row.fetchOne(
                db, sql: "SELECT id FROM rollouts WHERE endpoint = ? AND active = 1", arguments: [rollout.endpoint])
                != nil
            {
                throw KaizenError(
                    .custom("INVALID_STATE", 409), "Endpoint '\(rollout.endpoint)' already has a rollout in progress")
            }
            try db.execute(
                sql:
                    "INSERT INTO rollouts(id, endpoint, active, created_at, updated_at, state) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    rollout.id, rollout.endpoint, rollout.phase.isTerminal ? 0 : 1, rollout.createdAt,
                    rollout.updatedAt,
                    rollout.json.jsonText,
                ])
            try SQLiteRegistryStore.audit(
                db, "start_rollout", name: modelName, version: rollout.candidateVersion, after: rollout.json,
                now: rollout.updatedAt, actor: actor)
        }
    }

    public func updateRollout(
        _ rollout: Rollout, expectedUpdatedAt: Int64?, modelName: String, action: String?, actor: Actor
    ) async throws {
        try await pool.write { db in
            try db.execute(
                sql:
                    "UPDATE rollouts SET active = ?, updated_at = ?, state = ? WHERE id = ? AND updated_at = ifnull(?, updated_at)",
                arguments: [
                    rollout.phase.isTerminal ? 0 : 1, rollout.updatedAt, rollout.json.jsonText, rollout.id,
                    expectedUpdatedAt,
                ])
            guard db.changesCount > 0 else {
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM rollouts WHERE id = ?", arguments: [rollout.id])
                if exists == true { throw Self.rolloutConflict(rollout.id) }
                throw KaizenError.notFound("Rollout '\(rollout.id)' does not exist")
            }
            guard let action else { return }
            try SQLiteRegistryStore.audit(
                db, action, name: modelName, version: rollout.candidateVersion,
                after: .object([
                    ("rollout", .string(rollout.id)), ("endpoint", .string(rollout.endpoint)),
                    ("phase", .string(rollout.phase.name)),
                ]), now: rollout.updatedAt, actor: actor)
        }
    }

    public func rollouts(endpoint: String) async throws -> [Rollout] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT state FROM rollouts WHERE endpoint = ? ORDER BY created_at DESC, id DESC",
                arguments: [endpoint]
            ).map { row in try Rollout(json: try JSONValue(parsing: row["state"] as String)) }
        }
    }

    public func activeRollouts() async throws -> [Rollout] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT state FROM rollouts WHERE active = 1 ORDER BY created_at").map { row in
                try Rollout(json: try JSONValue(parsing: row["state"] as String))
            }
        }
    }

    public func deleteEndpoint(named name: String, now: Int64, actor: Actor) async throws {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM endpoints WHERE name = ?", arguments: [name])
            else { throw KaizenError.notFound("Endpoint '\(name)' does not exist") }
            let before = try Self.endpoint(row)
            try db.execute(sql: "DELETE FROM endpoints WHERE name = ?", arguments: [name])
            try SQLiteRegistryStore.audit(
                db, "delete_endpoint", name: before.modelName, before: before.json, now: now, actor: actor)
        }
    }
}
