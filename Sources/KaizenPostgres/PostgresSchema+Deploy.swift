extension PostgresSchema {
    /// The deploy tables (filled in by the deploy store's change).
    static let deploy: [PostgresMigration] = []
}
