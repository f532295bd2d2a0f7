extension PostgresSchema {
    /// The registry tables (filled in by the registry store's change).
    static let registry: [PostgresMigration] = []
}
