public import KaizenCore
public import KaizenTracking

/// A validated `search_registered_models` request.
public struct RegisteredModelSearch: Sendable {
    public static let maximumResults = 1_000

    public var clauses: [FilterClause]
    /// Order items as (column, ascending); columns are `name` or `last_updated_timestamp`.
    public var order: [(String, Bool)]
    public var maxResults: Int
    public var offset: Int
    /// Whether the filter asks for prompts; otherwise prompts are excluded, as MLflow does.
    public var wantsPrompts: Bool

    public init(filter: String?, orderBy: [String], maxResults: Int64?, pageToken: String?) throws(KaizenError) {
        let maxResults = maxResults ?? 100
        guard maxResults >= 1, maxResults <= Int64(Self.maximumResults) else {
            throw .invalidValue("\"\(maxResults)\"", for: "max_results", hint: "Value was of type 'str'")
        }
        self.maxResults = Int(maxResults)
        self.offset = try PageToken(decoding: pageToken).offset
        var clauses = try RegistryFilter.parse(filter, attributes: ["name"], listAttributes: ["name"], numeric: [])
        wantsPrompts = clauses.contains { clause in
            guard clause.entity == .tag, clause.key == promptTagKey, let value = clause.stringValue?.lowercased() else {
                return false
            }
            return (clause.op == .equal && value == "true") || (clause.op == .notEqual && value == "false")
        }
        if !wantsPrompts { clauses.removeAll { $0.entity == .tag && $0.key == promptTagKey } }
        self.clauses = clauses
        var order = try RegistryFilter.parseOrder(
            orderBy,
            columns: [
                "name": "name", "timestamp": "last_updated_timestamp",
                "last_updated_timestamp": "last_updated_timestamp",
            ],
            unknownKey: { "Invalid order by key '\($0)' specified. Valid keys are '{'name', 'timestamp'}'" })
        if !order.contains(where: { $0.0 == "name" }) { order.append(("name", true)) }
        self.order = order
    }
}
