/// One `entity.key [ASC|DESC]` item of an `order_by` list.
public struct OrderClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var ascending: Bool
    /// For a metric, which of its figures the runs are sorted by: the latest value unless a runs table asks
    /// for another.
    public var summary: MetricAggregate

    public init(entity: FilterEntity, key: String, ascending: Bool, summary: MetricAggregate = .last) {
        self.entity = entity
        self.key = key
        self.ascending = ascending
        self.summary = summary
    }
}
