public import KaizenCore

/// A validated `search_experiments` request.
public struct ExperimentSearch: Sendable {
    /// The largest page a client may ask for, as in MLflow.
    public static let maximumResults = 50_000

    static let stringAttributes: Set<String> = ["name", "experiment_id"]
    static let numericAttributes: Set<String> = ["creation_time", "last_update_time"]

    public var clauses: [FilterClause]
    public var order: [OrderClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var offset: Int

    public init(
        filter: String?, orderBy: [String], viewType: ViewType = .activeOnly, maxResults: Int64? = nil,
        pageToken: String? = nil
    ) throws(KaizenError) {
        let maxResults = maxResults ?? 1_000
        guard maxResults >= 1, maxResults <= Int64(Self.maximumResults) else {
            throw .invalidParameter(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most "
                    + "\(Self.maximumResults), but got value \(maxResults)"
            )
        }
        self.viewType = viewType
        self.maxResults = Int(maxResults)
        self.offset = try PageToken(decoding: pageToken).offset
        self.clauses = try SearchFilter.parse(filter ?? "").map { clause throws(KaizenError) in
            try Self.validate(clause)
        }
        self.order = try orderBy.map { text throws(KaizenError) in
            var clause = try SearchFilter.parseOrder(text)
            guard clause.entity == .attribute else {
                throw .invalidParameter("Invalid order_by entity: \(clause.entity.rawValue)")
            }
            clause.key = clause.key == "id" ? "experiment_id" : clause.key
            guard Self.stringAttributes.union(Self.numericAttributes).contains(clause.key) else {
                throw .invalidParameter("Invalid attribute key '\(clause.key)' specified.")
            }
            return clause
        }
    }

    static func validate(_ clause: FilterClause) throws(KaizenError) -> FilterClause {
        switch clause.entity {
        case .attribute:
            if numericAttributes.contains(clause.key) {
                guard FilterOperator.numeric.contains(clause.op), clause.numberValue != nil else {
                    throw .invalidParameter("Invalid comparison for numeric attribute '\(clause.key)'.")
                }
            } else if stringAttributes.contains(clause.key) {
                guard FilterOperator.string.contains(clause.op), clause.stringValue != nil else {
                    throw .invalidParameter("Invalid comparison for string attribute '\(clause.key)'.")
                }
            } else {
                throw .invalidParameter("Invalid attribute key '\(clause.key)' specified.")
            }
        case .tag:
            guard FilterOperator.string.contains(clause.op), clause.stringValue != nil else {
                throw .invalidParameter("Invalid comparator '\(clause.op.rawValue)' for tag '\(clause.key)'.")
            }
        default:
            throw .invalidParameter(
                "Invalid entity type '\(clause.entity.rawValue)'. Valid values are ['tag', 'attribute']")
        }
        return clause
    }
}
