public import KaizenCore
public import KaizenTracking

/// The tag that marks a registered model as a prompt; prompts are hidden from model searches.
public let promptTagKey = "mlflow.prompt.is_prompt"

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

/// The filter grammar as the registry searches accept it: `attribute.`/bare attributes and `tag.` keys.
enum RegistryFilter {
    static func parse(
        _ filter: String?, attributes: Set<String>, listAttributes: Set<String>, numeric: Set<String>
    )
        throws(KaizenError) -> [FilterClause]
    {
        try SearchFilter.parse(filter ?? "").map { clause throws(KaizenError) in
            var clause = clause
            switch clause.entity {
            case .tag:
                guard FilterOperator.string.contains(clause.op) else {
                    throw .invalidParameter("Invalid comparator for tag: \(clause.op.rawValue)")
                }
                guard clause.stringValue != nil else {
                    throw .invalidParameter(
                        "Parameter value is either not quoted or unidentified quote types used for string value. "
                            + "Use either single or double quotes.")
                }
            case .attribute:
                guard attributes.contains(clause.key) else {
                    throw .invalidParameter(
                        "Invalid attribute key '\(clause.key)' specified. Valid keys are '\(attributes.sorted())'")
                }
                if numeric.contains(clause.key) {
                    guard FilterOperator.numeric.contains(clause.op) else {
                        throw .invalidParameter("Invalid comparator for attribute: \(clause.op.rawValue)")
                    }
                    let number = clause.numberValue ?? clause.stringValue.flatMap(Double.init)
                    guard let number, number == number.rounded() else {
                        throw .invalidParameter("Invalid value for numeric attribute '\(clause.key)': \(clause.value)")
                    }
                    clause.value = .number(number)
                } else if clause.op == .isIn || clause.op == .notIn {
                    guard listAttributes.contains(clause.key), case .list = clause.value else {
                        throw .invalidParameter(
                            "Only \(listAttributes.sorted()) attributes support comparison with a list of quoted string values."
                        )
                    }
                } else {
                    guard FilterOperator.string.contains(clause.op) else {
                        throw .invalidParameter("Invalid comparator for attribute: \(clause.op.rawValue)")
                    }
                    guard clause.stringValue != nil else {
                        throw .invalidParameter(
                            "Parameter value is either not quoted or unidentified quote types used for string value. "
                                + "Use either single or double quotes.")
                    }
                }
            default:
                throw .invalidParameter(
                    "Invalid entity type '\(clause.entity.rawValue)'. Valid entity types are ('attribute', 'tag', 'tags')"
                )
            }
            return clause
        }
    }

    /// Parses `order_by` items into (column, ascending) pairs over the given key → column map, refusing
    /// unknown keys with `unknownKey`'s message and the same column twice.
    static func parseOrder(
        _ orderBy: [String], columns: [String: String], unknownKey: (String) -> String
    ) throws(KaizenError) -> [(String, Bool)] {
        var order: [(String, Bool)] = []
        for text in orderBy {
            let clause = try parseOrder(text)
            guard let column = columns[clause.key] else { throw .invalidParameter(unknownKey(clause.key)) }
            guard !order.contains(where: { $0.0 == column }) else {
                throw .invalidParameter("`order_by` contains duplicate fields: \(orderBy)")
            }
            order.append((column, clause.ascending))
        }
        return order
    }

    static func parseOrder(_ text: String) throws(KaizenError) -> OrderClause {
        do {
            return try SearchFilter.parseOrder(text)
        } catch {
            throw .invalidParameter("Invalid ordering key in order_by clause '\(text)'.")
        }
    }
}
