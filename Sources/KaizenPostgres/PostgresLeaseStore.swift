public import KaizenCore
import Logging
import PostgresNIO

/// Leases in the database the replicas share: one statement takes a free or run-out lease, or renews the holder's.
public struct PostgresLeaseStore: LeaseStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func acquire(_ name: String, holder: String, now: Int64, duration: Int64) async throws -> Bool {
        let logger = database.logger
        return try await database.read { connection in
            // A row comes back only when the insert or the update happened, that is when `holder` holds the lease.
            let rows = try await connection.query(
                """
                INSERT INTO leases(name, holder, expires_at) VALUES (\(name), \(holder), \(now + duration))
                ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < \(now)
                RETURNING holder
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }
}
