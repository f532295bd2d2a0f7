extension PostgresSchema {
    /// The monitoring tables (filled in by the monitoring store's change).
    static let monitoring: [PostgresMigration] = []
}
