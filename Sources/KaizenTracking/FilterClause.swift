/// One `entity.key operator value` comparison of a filter.
public struct FilterClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var op: FilterOperator
    public var value: FilterValue

    public init(entity: FilterEntity, key: String, op: FilterOperator, value: FilterValue) {
        self.entity = entity
        self.key = key
        self.op = op
        self.value = value
    }

    /// The value as a string, for string comparisons.
    public var stringValue: String? {
        if case .string(let value) = value { return value }
        return nil
    }

    /// The value as a number, for numeric comparisons.
    public var numberValue: Double? {
        if case .number(let value) = value { return value }
        return nil
    }
}
