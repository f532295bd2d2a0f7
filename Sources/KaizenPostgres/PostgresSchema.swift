/// Kaizen's PostgreSQL schema, as ordered migrations: tracking, then the registry with its audit trail and
/// webhooks, then endpoints and monitoring. A released migration is never edited; changes are new migrations
/// appended to a list.
///
/// Text that is compared or sorted (names, keys, values) is `COLLATE "C"`: byte order, as on SQLite and as MLflow's
/// clients expect, whatever the database's default collation.
enum PostgresSchema {
    static var migrations: [PostgresMigration] {
        tracking + registry + deploy + monitoring + leases
    }

    /// The characters of a param's or tag's value that `params_by_key` and `tags_by_key` hold (`left(value, 200)`).
    static let indexedPrefix = 200
}
