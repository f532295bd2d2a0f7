public import KaizenCore
public import KaizenTracking

/// A validated `search_model_versions` request.
public struct ModelVersionSearch: Sendable {
    public static let maximumResults = 200_000

    public var clauses: [FilterClause]
    /// Order items as (column, ascending) over `name`, `version`, `creation_timestamp`, `last_updated_timestamp`.
    public var order: [(String, Bool)]
    public var maxResults: Int
    public var offset: Int
    public var wantsPrompts: Bool

    public init(filter: String?, orderBy: [String], maxResults: Int64?, pageToken: String?) throws(KaizenError) {
        let maxResults = maxResults ?? Int64(Self.maximumResults)
        guard maxResults >= 1 else {
            throw .invalidParameter(
                "Invalid value for max_results. It must be a positive integer, but got \(maxResults)")
        }
        guard maxResults <= Int64(Self.maximumResults) else {
            throw .invalidValue("\"\(maxResults)\"", for: "max_results", hint: "Value was of type 'str'")
        }
        self.maxResults = Int(maxResults)
        self.offset = try PageToken(decoding: pageToken).offset
        var clauses = try RegistryFilter.parse(
            filter, attributes: ["name", "run_id", "source_path", "version_number"],
            listAttributes: ["name", "run_id"],
            numeric: ["version_number"])
        wantsPrompts = clauses.contains {
            $0.entity == .tag && $0.key == promptTagKey && $0.stringValue?.lowercased() == "true"
        }
        if !wantsPrompts { clauses.removeAll { $0.entity == .tag && $0.key == promptTagKey } }
        self.clauses = clauses
        var order = try RegistryFilter.parseOrder(
            orderBy,
            columns: [
                "name": "name", "version_number": "version", "creation_timestamp": "creation_timestamp",
                "last_updated_timestamp": "last_updated_timestamp",
            ],
            unknownKey: {
                "Invalid attribute key '\($0)' specified. Valid keys are "
                    + "'{'name', 'version_number', 'last_updated_timestamp', 'creation_timestamp'}'"
            })
        if order.isEmpty { order.append(("last_updated_timestamp", false)) }
        if !order.contains(where: { $0.0 == "name" }) { order.append(("name", true)) }
        if !order.contains(where: { $0.0 == "version" }) { order.append(("version", false)) }
        self.order = order
    }
}
