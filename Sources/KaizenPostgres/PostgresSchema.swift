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

    /// The characters of a param's or tag's value held by column `value_prefix` (`left(value, 200)`) and indexed with
    /// the key by `params_by_prefix` and `tags_by_prefix`: a whole value can be longer than an index entry may be.
    static let indexedPrefix = 200
}
