public import KaizenCore

/// A validated `search_logged_models` request, evaluated over an experiment's logged models.
public struct LoggedModelSearch: Sendable {
    /// An order item as the client sends it: `{"field_name": ..., "ascending": ...}`.
    public struct Order: Sendable {
        public var field: String
        public var ascending: Bool

        public init(field: String, ascending: Bool) {
            self.field = field
            self.ascending = ascending
        }
    }

    static let attributes: Set<String> = [
        "name", "model_id", "model_type", "status", "source_run_id", "creation_timestamp", "creation_time",
        "last_updated_timestamp", "last_updated_time",
    ]

    public var experimentIDs: [String]
    public var clauses: [FilterClause]
    public var order: [Order]
    public var maxResults: Int
    public var offset: Int

    public init(
        experimentIDs: [String], filter: String?, order: [Order], maxResults: Int64?, pageToken: String?
    ) throws(KaizenError) {
        guard !experimentIDs.isEmpty else { throw .missingParameter("experiment_ids") }
        self.experimentIDs = experimentIDs
        self.order = order
        let maxResults = maxResults ?? 50
        guard maxResults >= 1, maxResults <= 1_000 else {
            throw .invalidValue(String(maxResults), for: "max_results")
        }
        self.maxResults = Int(maxResults)
        self.offset = try PageToken(decoding: pageToken).offset
        self.clauses = try SearchFilter.parse(filter ?? "")
        for clause in clauses {
            switch clause.entity {
            case .attribute:
                guard Self.attributes.contains(clause.key) else {
                    throw .invalidParameter("Invalid attribute key '\(clause.key)' for logged models.")
                }
            case .metric, .param, .tag: break
            case .dataset: throw .invalidParameter("Dataset filters are not supported for logged models.")
            }
        }
    }

    /// The page of `models` (all candidates of the experiments) that this search returns.
    public func page(of models: [LoggedModel]) -> Page<LoggedModel> {
        var matching = models.filter(matches)
        if !order.isEmpty {
            matching.sort { lhs, rhs in
                for item in order {
                    let comparison = compare(lhs, rhs, field: item.field)
                    if comparison != 0 { return item.ascending ? comparison < 0 : comparison > 0 }
                }
                return lhs.creationTimestamp > rhs.creationTimestamp
            }
        }
        let start = min(offset, matching.count)
        let end = min(start + maxResults, matching.count)
        return Page(
            items: Array(matching[start..<end]),
            nextPageToken: end < matching.count ? PageToken(offset: end).encoded : nil)
    }

    func compare(_ lhs: LoggedModel, _ rhs: LoggedModel, field: String) -> Int {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a > b ? 1 : 0) }
        switch field {
        case "name": return order(lhs.name, rhs.name)
        case "creation_timestamp", "creation_time": return order(lhs.creationTimestamp, rhs.creationTimestamp)
        case "last_updated_timestamp", "last_updated_time":
            return order(lhs.lastUpdatedTimestamp, rhs.lastUpdatedTimestamp)
        default:
            if field.hasPrefix("metrics.") {
                let key = String(field.dropFirst("metrics.".count))
                let a = lhs.metrics.last { $0.key == key }?.value
                let b = rhs.metrics.last { $0.key == key }?.value
                switch (a, b) {
                case (nil, nil): return 0
                case (nil, _): return 1
                case (_, nil): return -1
                case (let a?, let b?): return order(a, b)
                }
            }
            return 0
        }
    }

    /// Whether a model satisfies every clause.
    public func matches(_ model: LoggedModel) -> Bool {
        clauses.allSatisfy { clause in
            switch clause.entity {
            case .attribute:
                switch clause.key {
                case "creation_timestamp", "creation_time":
                    return FilterEvaluation.compare(Double(model.creationTimestamp), clause)
                case "last_updated_timestamp", "last_updated_time":
                    return FilterEvaluation.compare(Double(model.lastUpdatedTimestamp), clause)
                case "name": return FilterEvaluation.compare(model.name, clause)
                case "model_id": return FilterEvaluation.compare(model.modelID, clause)
                case "model_type": return FilterEvaluation.compare(model.modelType, clause)
                case "status": return FilterEvaluation.compare(model.status.rawValue, clause)
                case "source_run_id": return FilterEvaluation.compare(model.sourceRunID ?? "", clause)
                default: return false
                }
            case .metric:
                guard let metric = model.metrics.last(where: { $0.key == clause.key }) else { return false }
                return FilterEvaluation.compare(metric.value, clause)
            case .param:
                return FilterEvaluation.compare(model.params.first { $0.key == clause.key }?.value, clause)
            case .tag:
                return FilterEvaluation.compare(model.tags.first { $0.key == clause.key }?.value, clause)
            case .dataset:
                return false
            }
        }
    }
}
