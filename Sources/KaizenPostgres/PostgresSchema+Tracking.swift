extension PostgresSchema {
    /// The tracking tables (filled in by the tracking store's change).
    static let tracking: [PostgresMigration] = []
}
