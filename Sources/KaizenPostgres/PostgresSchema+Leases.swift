extension PostgresSchema {
    /// Who drives each piece of background work (rollouts, alert rules) among the replicas.
    static let leases: [PostgresMigration] = [
        PostgresMigration(
            name: "leases-v1",
            statements: [
                """
                CREATE TABLE leases (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """
            ])
    ]
}
