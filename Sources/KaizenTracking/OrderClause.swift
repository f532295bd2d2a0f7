/// One `entity.key [ASC|DESC]` item of an `order_by` list.
public struct OrderClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var ascending: Bool

    public init(entity: FilterEntity, key: String, ascending: Bool) {
        self.entity = entity
        self.key = key
        self.ascending = ascending
    }
}
