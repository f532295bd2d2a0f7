public import KaizenCore

/// An endpoint's alert rules and the window they are evaluated over.
public struct MonitorRules: Sendable, Equatable {
    public var endpoint: String
    public var rules: [AlertRule]
    /// Window length in milliseconds; windows start at whole multiples of it since the epoch.
    public var window: Int64
    /// The registered model whose audit trail keeps the alerts (default: the endpoint's model, else the endpoint's
    /// name).
    public var modelName: String?

    public init(endpoint: String, rules: [AlertRule], window: Int64, modelName: String? = nil) {
        self.endpoint = endpoint
        self.rules = rules
        self.window = window
        self.modelName = modelName
    }

    public var json: JSONValue {
        .object([
            ("endpoint", .string(endpoint)), ("window_seconds", .integer(window / 1000)),
            ("model_name", modelName.map(JSONValue.string) ?? .null), ("rules", .array(rules.map(\.json))),
        ])
    }

    /// Rules as `json` writes them (and as the API takes them: `rules` a list of `{"name", "condition"}` or of
    /// condition strings).
    public init(json: JSONValue) throws(KaizenError) {
        guard let endpoint = json["endpoint"]?.stringValue else {
            throw .invalidParameter("Rules name their 'endpoint'")
        }
        try ResourceName.validate(endpoint, field: "endpoint")
        guard let list = json["rules"]?.arrayValue, list.count <= 100 else {
            throw .invalidParameter("'rules' must be a list of at most 100 rules")
        }
        var rules: [AlertRule] = []
        for item in list {
            if let text = item.stringValue {
                rules.append(try AlertRule(condition: text))
            } else if let text = item["condition"]?.stringValue {
                rules.append(try AlertRule(condition: text, name: item["name"]?.stringValue))
            } else {
                throw .invalidParameter("A rule is a condition string or {\"name\", \"condition\"}")
            }
        }
        guard Set(rules.map(\.name)).count == rules.count else {
            throw .invalidParameter("Two rules have the same name")
        }
        var seconds: Int64 = 3600
        if let given = json["window_seconds"], given != .null {
            guard case .integer(let value) = given, value >= 1, value <= 366 * 86_400 else {
                throw .invalidParameter("'window_seconds' must be a whole number from 1 to 31622400")
            }
            seconds = value
        }
        let model = json["model_name"]?.stringValue
        self.init(endpoint: endpoint, rules: rules, window: seconds * 1000, modelName: model)
    }
}

/// A rule that held for a window of one version.
public struct MonitorAlert: Sendable, Equatable {
    public var endpoint: String
    public var rule: String
    public var condition: String
    public var windowStart: Int64
    public var windowEnd: Int64
    public var version: String?
    /// The figure the rule compared.
    public var value: Double
    public var firedAt: Int64

    public init(
        endpoint: String, rule: String, condition: String, windowStart: Int64, windowEnd: Int64, version: String?,
        value: Double, firedAt: Int64
    ) {
        self.endpoint = endpoint
        self.rule = rule
        self.condition = condition
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.version = version
        self.value = value
        self.firedAt = firedAt
    }

    public var json: JSONValue {
        .object([
            ("endpoint", .string(endpoint)), ("rule", .string(rule)), ("condition", .string(condition)),
            ("window_start", .integer(windowStart)), ("window_end", .integer(windowEnd)),
            ("version", version.map(JSONValue.string) ?? .null), ("value", .double(value)),
            ("fired_at", .integer(firedAt)),
        ])
    }

    public init(json: JSONValue) throws(KaizenError) {
        guard let endpoint = json["endpoint"]?.stringValue, let rule = json["rule"]?.stringValue,
            let condition = json["condition"]?.stringValue, let start = json["window_start"]?.int64Value,
            let end = json["window_end"]?.int64Value, let value = json["value"]?.doubleValue,
            let fired = json["fired_at"]?.int64Value
        else { throw KaizenError(.internalError, "A stored alert is incomplete") }
        self.init(
            endpoint: endpoint, rule: rule, condition: condition, windowStart: start, windowEnd: end,
            version: json["version"]?.stringValue, value: value, firedAt: fired)
    }
}
