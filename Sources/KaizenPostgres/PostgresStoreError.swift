/// A PostgreSQL storage failure that is the operator's to fix (a bad URI, a server that cannot be reached).
public struct PostgresStoreError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
