public import GRDB
public import KaizenCore

/// Leases in the SQLite file: for several processes on one file, as for replicas on one PostgreSQL database.
public struct SQLiteLeaseStore: LeaseStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func acquire(_ name: String, holder: String, now: Int64, duration: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO leases(name, holder, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE leases.holder = excluded.holder OR leases.expires_at < ?
                    """, arguments: [name, holder, now + duration, now])
            return try String.fetchOne(db, sql: "SELECT holder FROM leases WHERE name = ?", arguments: [name]) == holder
        }
    }
}
