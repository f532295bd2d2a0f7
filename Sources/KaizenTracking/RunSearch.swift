public import KaizenCore

/// A validated `search_runs` request: which experiments, which runs, in what order, which page.
public struct RunSearch: Sendable {
    /// The largest page a client may ask for, as in MLflow.
    public static let maximumResults = 50_000
    /// The page size when the client names none.
    public static let defaultResults = 1_000

    /// Attribute names the grammar accepts, with `created` standing for `start_time`.
    static let stringAttributes: Set<String> = [
        "run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage",
    ]
    static let numericAttributes: Set<String> = ["start_time", "end_time"]
    static let datasetKeys: Set<String> = ["name", "digest", "context"]

    public var experimentIDs: [String]
    /// The filter, each comparison validated and with canonical attribute keys; nil for none.
    ///
    /// Run filters accept `OR` and parentheses, Kaizen's extension of MLflow's grammar.
    public var filter: FilterExpression?
    public var order: [OrderClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var offset: Int

    public init(
        experimentIDs: [String], filter: String?, orderBy: [String], viewType: ViewType = .activeOnly,
        maxResults: Int64? = nil, pageToken: String? = nil
    ) throws(KaizenError) {
        let maxResults = maxResults ?? Int64(Self.defaultResults)
        guard maxResults >= 0, maxResults <= Int64(Self.maximumResults) else {
            throw .invalidValue(String(maxResults), for: "max_results", hint: "Value was of type 'int'")
        }
        self.experimentIDs = experimentIDs
        self.viewType = viewType
        self.maxResults = Int(maxResults)
        self.offset = try PageToken(decoding: pageToken).offset
        self.filter = try SearchFilter.parseExpression(filter ?? "")?.mapClauses(Self.validate)
        var seen: Set<String> = []
        self.order = []
        for text in orderBy {
            var clause = try SearchFilter.parseOrder(text)
            clause.key = try Self.canonicalOrderKey(clause)
            let identity = "\(clause.entity.rawValue).\(clause.key)"
            guard seen.insert(identity).inserted else {
                throw .invalidParameter("`order_by` contains duplicate fields: \(orderBy)")
            }
            order.append(clause)
        }
    }

    static func canonicalAttribute(_ key: String) -> String {
        switch key {
        case "created", "Created": "start_time"
        case "run_uuid", "id": "run_id"
        case "name": "run_name"
        default: key
        }
    }

    static func canonicalOrderKey(_ clause: OrderClause) throws(KaizenError) -> String {
        guard clause.entity == .attribute else {
            guard clause.entity != .dataset else {
                throw .invalidParameter("Invalid order_by entity type 'dataset'")
            }
            return clause.key
        }
        let key = canonicalAttribute(clause.key)
        guard stringAttributes.contains(key) || numericAttributes.contains(key) || key == "experiment_id" else {
            throw .invalidParameter(
                "Invalid attribute key '\(clause.key)' specified. Valid keys are "
                    + "'\(Array(stringAttributes.union(numericAttributes)).sorted())'"
            )
        }
        return key
    }

    static func validate(_ clause: FilterClause) throws(KaizenError) -> FilterClause {
        var clause = clause
        switch clause.entity {
        case .metric:
            guard FilterOperator.numeric.contains(clause.op) || clause.op == .isNull || clause.op == .isNotNull else {
                throw .invalidParameter(
                    "Invalid comparator '\(clause.op.rawValue)' not one of '['>', '>=', '!=', '=', '<', '<=']")
            }
            if clause.op != .isNull, clause.op != .isNotNull, clause.numberValue == nil {
                throw .invalidParameter("Expected numeric value type for metric. Found \(describe(clause.value))")
            }
        case .param, .tag:
            let allowed = FilterOperator.string.union([.isNull, .isNotNull])
            guard allowed.contains(clause.op) else {
                throw .invalidParameter(
                    "Invalid comparator '\(clause.op.rawValue)' not one of '['!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL']'"
                )
            }
            if clause.op != .isNull, clause.op != .isNotNull, clause.stringValue == nil {
                throw .invalidParameter(
                    "Expected a quoted string value for \(clause.entity == .tag ? "tag" : "param")s. Found \(describe(clause.value))"
                )
            }
        case .attribute:
            clause.key = canonicalAttribute(clause.key)
            if numericAttributes.contains(clause.key) {
                guard FilterOperator.numeric.contains(clause.op), clause.numberValue != nil else {
                    throw .invalidParameter(
                        "Expected numeric value type for numeric attribute: \(clause.key). Found \(describe(clause.value))"
                    )
                }
            } else if stringAttributes.contains(clause.key) {
                var allowed = FilterOperator.string
                if clause.key == "run_id" { allowed.formUnion([.isIn, .notIn]) }
                guard allowed.contains(clause.op) else {
                    throw .invalidParameter(
                        "Invalid comparator '\(clause.op.rawValue)' not one of '\(allowed.map(\.rawValue).sorted())'"
                    )
                }
                if clause.op == .isIn || clause.op == .notIn {
                    guard case .list = clause.value else {
                        throw .invalidParameter("Expected a list of quoted strings for '\(clause.op.rawValue)'.")
                    }
                } else if clause.stringValue == nil {
                    throw .invalidParameter(
                        "Expected a quoted string value for attributes. Got value \(describe(clause.value))"
                    )
                }
            } else {
                throw .invalidParameter(
                    "Invalid attribute key '\(clause.key)' specified. Valid keys are "
                        + "'\(Array(stringAttributes.union(numericAttributes)).sorted())'"
                )
            }
        case .dataset:
            guard datasetKeys.contains(clause.key) else {
                throw .invalidParameter(
                    "Invalid dataset key '\(clause.key)' specified. Valid keys are '['name', 'digest', 'context']'"
                )
            }
            let allowed = FilterOperator.string.union([.isIn, .notIn])
            guard allowed.contains(clause.op) else {
                throw .invalidParameter("Invalid comparator '\(clause.op.rawValue)' for dataset attributes.")
            }
            switch (clause.op, clause.value) {
            case (.isIn, .list), (.notIn, .list): break
            case (_, .string) where clause.op != .isIn && clause.op != .notIn: break
            default:
                throw .invalidParameter(
                    "Expected a quoted string value for dataset attributes. Found \(describe(clause.value))")
            }
        }
        return clause
    }

    static func describe(_ value: FilterValue) -> String {
        switch value {
        case .number(let number): number.formatted
        case .string(let string): "'\(string)'"
        case .list(let items): "(\(items.map { "'\($0)'" }.joined(separator: ", ")))"
        case .none: "NULL"
        }
    }
}
