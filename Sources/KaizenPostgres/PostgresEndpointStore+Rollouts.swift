import KaizenCore
public import KaizenDeploy
public import KaizenRegistry
import Logging
import PostgresNIO

extension PostgresEndpointStore {
    static func rolloutInProgress(_ endpoint: String) -> KaizenError {
        KaizenError(.custom("INVALID_STATE", 409), "Endpoint '\(endpoint)' already has a rollout in progress")
    }

    public func createRollout(_ rollout: Rollout, modelName: String, actor: Actor) async throws {
        let logger = logger
        do {
            try await database.write { connection in
                let active = try await connection.query(
                    "SELECT id FROM rollouts WHERE endpoint = \(rollout.endpoint) AND active", logger: logger
                ).collect()
                guard active.isEmpty else { throw Self.rolloutInProgress(rollout.endpoint) }
                // Two replicas starting a rollout at once both pass the check above; the unique index on unfinished
                // rollouts (rollouts_one_active) refuses the second.
                try await connection.query(
                    """
                    INSERT INTO rollouts(id, endpoint, active, created_at, updated_at, state)
                    VALUES (\(rollout.id), \(rollout.endpoint), \(!rollout.phase.isTerminal), \(rollout.createdAt),
                            \(rollout.updatedAt), \(rollout.json.jsonText))
                    """, logger: logger)
                try await PostgresRegistryStore.audit(
                    connection, logger, "start_rollout", name: modelName, version: rollout.candidateVersion,
                    after: rollout.json, now: rollout.updatedAt, actor: actor)
            }
        } catch  where PostgresDatabase.isUniqueViolation(error, constraint: "rollouts_one_active") {
            throw Self.rolloutInProgress(rollout.endpoint)
        }
    }

    public func updateRollout(
        _ rollout: Rollout, expectedUpdatedAt: Int64?, modelName: String, action: String?, actor: Actor
    ) async throws {
        let logger = logger
        try await database.write { connection in
            let updated = try await connection.query(
                """
                UPDATE rollouts SET active = \(!rollout.phase.isTerminal), updated_at = \(rollout.updatedAt),
                                    state = \(rollout.json.jsonText)
                WHERE id = \(rollout.id) AND updated_at = coalesce(\(expectedUpdatedAt)::bigint, updated_at) RETURNING 1
                """, logger: logger
            ).collect()
            guard !updated.isEmpty else {
                let exists = try await connection.query(
                    "SELECT 1 FROM rollouts WHERE id = \(rollout.id)", logger: logger
                ).collect()
                if !exists.isEmpty { throw Self.rolloutConflict(rollout.id) }
                throw KaizenError.notFound("Rollout '\(rollout.id)' does not exist")
            }
            guard let action else { return }
            try await PostgresRegistryStore.audit(
                connection, logger, action, name: modelName, version: rollout.candidateVersion,
                after: .object([
                    ("rollout", .string(rollout.id)), ("endpoint", .string(rollout.endpoint)),
                    ("phase", .string(rollout.phase.name)),
                ]), now: rollout.updatedAt, actor: actor)
        }
    }

    public func rollouts(endpoint: String) async throws -> [Rollout] {
        try await states(
            "SELECT state FROM rollouts WHERE endpoint = \(endpoint) ORDER BY created_at DESC, id DESC")
    }

    public func activeRollouts() async throws -> [Rollout] {
        try await states("SELECT state FROM rollouts WHERE active ORDER BY created_at, id")
    }

    func states(_ query: PostgresQuery) async throws -> [Rollout] {
        let logger = logger
        return try await database.read { connection in
            var rollouts: [Rollout] = []
            for try await state in try await connection.query(query, logger: logger).decode(String.self) {
                rollouts.append(try Rollout(json: try JSONValue(parsing: state)))
            }
            return rollouts
        }
    }
}
